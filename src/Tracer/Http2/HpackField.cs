namespace FlowTrace.Tracer.Http2;

/// <summary>One header field as a header block carried it.</summary>
/// <param name="Name">The name (lower case in HTTP/2).</param>
/// <param name="Value">The value.</param>
/// <param name="Representation">How it was written: a table index, or a literal that was or was not added to the table.</param>
/// <param name="Index">The table index used (for the whole field, or for its name), or null for a literal name.</param>
/// <param name="FromStaticTable">True when <paramref name="Index"/> pointed into the static table, false for the dynamic one.</param>
/// <param name="WireBytes">How many bytes of the block it took.</param>
/// <param name="Huffman">True when a literal name or value was Huffman-coded.</param>
internal sealed record HpackField(string Name, string Value, HpackRepresentation Representation, int? Index, bool FromStaticTable, int WireBytes, bool Huffman)
{
    /// <summary>Its size as HPACK counts it: name and value bytes plus 32 (RFC 7541 §4.1).</summary>
    public int Size => HpackDynamicTable.EntrySize(Name, Value);
}
