namespace FlowTrace.Contracts.Storage;

/// <summary>Commands that make a stored trace's request again (<c>GET /api/traces/{id}/commands</c>).</summary>
/// <param name="Curl">The curl command line, or null when the trace never connected.</param>
/// <param name="CurlNote">What the curl command cannot reproduce, if anything.</param>
/// <param name="Openssl">The <c>openssl s_client</c> command line for the TLS handshake, or null without TLS.</param>
public sealed record TraceCommands(string? Curl, string? CurlNote, string? Openssl);
