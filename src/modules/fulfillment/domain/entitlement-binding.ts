/** What an order line does to its license (IPN_LICENSE_TYPE): a new purchase, a renewal, an upgrade. */
export type LineKind = 'new' | 'renewal' | 'upgrade';

/** An entitlement a line could join. */
export interface Candidate {
  id: string;
  refNo: string;
  lineNo: number;
  licenseRef: string;
  /** A new purchase carries it. Without one it is an orphan: made by a renewal seen before its purchase. */
  bought: boolean;
}

export interface UnboundLine {
  refNo: string;
  lineNo: number;
  licenseRef: string | null;
  kind: LineKind;
}

/** The entitlement each line joins: an existing one, or one it creates (`created`). */
export interface Binding {
  line: UnboundLine;
  entitlementId: string;
  created: boolean;
}

/**
 * Which entitlement each order line carries, so that a license has one entitlement whatever the
 * arrival order: a renewal or an upgrade joins the one its license was bought with (or, the purchase
 * not seen yet, an orphan one, created by the first renewal); a new purchase adopts such an orphan,
 * and otherwise has its own (two purchases of one license reference, which 2Checkout does not send,
 * stay apart). A line without a license has its own. Lines of one batch see each other's entitlements.
 */
export function bindLines(lines: readonly UnboundLine[], candidates: readonly Candidate[], newId: () => string): Binding[] {
  const known = candidates.map((candidate) => ({ ...candidate }));
  return lines.map((line) => {
    const ofLicense = line.licenseRef === null ? [] : known.filter((candidate) => candidate.licenseRef === line.licenseRef).sort(byOrder);
    const joined =
      line.kind === 'new'
        ? ofLicense.find((candidate) => !candidate.bought)
        : (ofLicense.find((candidate) => candidate.bought) ?? ofLicense.find((candidate) => !candidate.bought));
    if (joined) {
      if (line.kind === 'new') joined.bought = true;
      return { line, entitlementId: joined.id, created: false };
    }
    const id = newId();
    if (line.licenseRef !== null)
      known.push({ id, refNo: line.refNo, lineNo: line.lineNo, licenseRef: line.licenseRef, bought: line.kind === 'new' });
    return { line, entitlementId: id, created: true };
  });
}

/** Earliest first: REFNOs are numbers that grow (a longer one is a later one), then line numbers. */
function byOrder(a: Candidate, b: Candidate): number {
  return a.refNo.length - b.refNo.length || (a.refNo < b.refNo ? -1 : a.refNo > b.refNo ? 1 : 0) || a.lineNo - b.lineNo;
}
