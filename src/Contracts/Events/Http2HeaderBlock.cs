namespace FlowTrace.Contracts.Events;

/// <summary>A header block as HPACK carried it: what it took on the wire against its plain size, field by field.</summary>
/// <param name="WireBytes">The block's bytes on the wire (HEADERS and CONTINUATION payloads, padding and priority
/// excluded).</param>
/// <param name="PlainBytes">The same fields written plainly, as "name: value" lines would take them.</param>
/// <param name="Fields">Each field, in order.</param>
public sealed record Http2HeaderBlock(int WireBytes, int PlainBytes, IReadOnlyList<Http2HeaderField> Fields);
