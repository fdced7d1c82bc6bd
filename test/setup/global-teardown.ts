import { stopEmbeddedServer } from './embedded-server';

export default stopEmbeddedServer;
