namespace FlowTrace.Tracer.Tcp;

/// <summary>Bytes as they arrived, stamped with the trace clock at the moment the socket returned them.</summary>
/// <param name="Data">The bytes; empty at the end of the stream.</param>
/// <param name="Timestamp">Trace-clock timestamp of arrival (for decrypted data: of the record's arrival).</param>
/// <param name="EndOfStream">True when the peer closed its side.</param>
internal readonly record struct Arrival(ReadOnlyMemory<byte> Data, long Timestamp, bool EndOfStream);
