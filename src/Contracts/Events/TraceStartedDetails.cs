namespace FlowTrace.Contracts.Events;

/// <summary>The request a hop is about to make, after the URL was parsed and normalised.</summary>
/// <param name="Url">The absolute URL of this hop.</param>
/// <param name="Method">GET or HEAD.</param>
/// <param name="Scheme">http or https.</param>
/// <param name="Host">The host as the user wrote it (Unicode for international names).</param>
/// <param name="AsciiHost">The host as sent on the wire (punycode for international names).</param>
/// <param name="Port">The destination port.</param>
/// <param name="ConnectHost">Where the connection really goes when a connect-to override applies, otherwise null.</param>
/// <param name="ConnectPort">The port the connection really goes to.</param>
public sealed record TraceStartedDetails(
    string Url,
    string Method,
    string Scheme,
    string Host,
    string AsciiHost,
    int Port,
    string? ConnectHost,
    int ConnectPort) : TraceEventDetails;
