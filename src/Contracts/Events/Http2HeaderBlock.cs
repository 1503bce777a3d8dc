namespace FlowTrace.Contracts.Events;

/// <summary>A header block as HPACK carried it: what it took on the wire against its plain size, field by field.</summary>
/// <param name="WireBytes">The block's bytes on the wire (HEADERS and CONTINUATION payloads, padding and priority
/// excluded).</param>
/// <param name="PlainBytes">The same fields written plainly, as "name: value" lines would take them.</param>
/// <param name="Fields">Each field, in order; empty when <paramref name="FieldsListed"/> is false.</param>
/// <param name="FieldCount">How many fields the block held (listed or not).</param>
/// <param name="FieldsListed">False when the fields were decoded but not listed, the connection's budget for listed header
/// text being spent (a hostile server can make a few bytes decode to 64 KiB, block after block).</param>
public sealed record Http2HeaderBlock(int WireBytes, int PlainBytes, IReadOnlyList<Http2HeaderField> Fields, int FieldCount = 0, bool FieldsListed = true);
