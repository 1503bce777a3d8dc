namespace FlowTrace.Tracer.Http2;

/// <summary>How a header field is written in a header block (RFC 7541 §6).</summary>
internal enum HpackRepresentation
{
    /// <summary>The whole field is a table entry, sent as its index.</summary>
    Indexed,

    /// <summary>A literal, added to the dynamic table for the next blocks.</summary>
    LiteralIncrementalIndexing,

    /// <summary>A literal, not added to the table.</summary>
    LiteralWithoutIndexing,

    /// <summary>A literal that no intermediary may ever add to a table (a secret).</summary>
    LiteralNeverIndexed,
}
