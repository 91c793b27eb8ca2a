/**
 * One key of user or channel metadata (agora-rtm-sdk 1.6.0), made by `client.createMetadataItem()`.
 * Defaults: key '', value null, revision -1 (no compare-and-set), updateTs 0, authorUserId ''.
 */
export class RtmMetadataItem {
  private key = '';
  private value: string | null = null;
  private revision = -1;
  private updateTs = 0;
  private authorUserId = '';

  setKey(key: string): void {
    this.key = key;
  }
  getKey(): string {
    return this.key;
  }
  setValue(value: string | null): void {
    this.value = value;
  }
  getValue(): string | null {
    return this.value;
  }
  setRevision(revision: number): void {
    this.revision = revision;
  }
  getRevision(): number {
    return this.revision;
  }
  getUpdateTs(): number {
    return this.updateTs;
  }
  getAuthorUserId(): string {
    return this.authorUserId;
  }

  /** @internal Items read from the server carry their update time and author. */
  static fromServer(data: { key: string; value: string | null; revision: number; updateTs: number; authorUserId: string }): RtmMetadataItem {
    const item = new RtmMetadataItem();
    item.key = data.key;
    item.value = data.value;
    item.revision = data.revision;
    item.updateTs = data.updateTs;
    item.authorUserId = data.authorUserId;
    return item;
  }
}
