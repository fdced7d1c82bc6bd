import { startEmbeddedServer } from './embedded-server';

export default startEmbeddedServer;
