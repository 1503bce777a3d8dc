namespace FlowTrace.Lab;

/// <summary>The ports a running lab listens on.</summary>
/// <param name="Dns">DNS (UDP and TCP).</param>
/// <param name="Https">HTTPS with SNI-selected certificates.</param>
/// <param name="Tls12">HTTPS, TLS 1.2 only.</param>
/// <param name="Http">Plain HTTP.</param>
/// <param name="Http10">The HTTP/1.0 server.</param>
/// <param name="Closed">A port where nothing listens.</param>
/// <param name="HostileHttp">The misbehaving HTTP server.</param>
/// <param name="HostileTls">The broken-TLS port.</param>
/// <param name="Http2">HTTPS speaking HTTP/2 only.</param>
/// <param name="HostileHttp2">HTTPS speaking broken HTTP/2.</param>
public sealed record LabPorts(int Dns, int Https, int Tls12, int Http, int Http10, int Closed, int HostileHttp = 0, int HostileTls = 0, int Http2 = 0, int HostileHttp2 = 0);
