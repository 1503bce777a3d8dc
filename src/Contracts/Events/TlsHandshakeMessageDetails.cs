namespace FlowTrace.Contracts.Events;

/// <summary>A handshake message the TLS engine processed, including those TLS 1.3 encrypts.</summary>
/// <param name="Direction">Who sent it.</param>
/// <param name="MessageType">client_hello, server_hello, encrypted_extensions, certificate, ...</param>
public sealed record TlsHandshakeMessageDetails(WireDirection Direction, string MessageType) : TraceEventDetails;
