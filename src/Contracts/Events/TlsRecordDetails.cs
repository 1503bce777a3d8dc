namespace FlowTrace.Contracts.Events;

/// <summary>One TLS record as seen on the wire, in either direction.</summary>
/// <param name="Direction">Who sent it.</param>
/// <param name="ContentType">handshake, change_cipher_spec, alert, application_data.</param>
/// <param name="HandshakeTypes">Handshake messages readable in plain text inside this record, if any.</param>
/// <param name="RecordVersion">The legacy version field of the record header, e.g. TLS 1.2.</param>
/// <param name="Length">Record payload length in bytes (the 5-byte header excluded).</param>
public sealed record TlsRecordDetails(
    WireDirection Direction,
    string ContentType,
    IReadOnlyList<string> HandshakeTypes,
    string RecordVersion,
    int Length) : TraceEventDetails;

/// <summary>Direction of bytes on the wire.</summary>
public enum WireDirection
{
    /// <summary>From the client (the tracer) to the server.</summary>
    ClientToServer,
    /// <summary>From the server to the client.</summary>
    ServerToClient,
}
