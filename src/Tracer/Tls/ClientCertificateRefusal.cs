using Org.BouncyCastle.Tls;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Mutual TLS: a server that asks for a client certificate (CertificateRequest) and refuses the connection when none
/// comes. FlowTrace sends none, so this is how such a server's trace ends, in words a learner can use.
/// </summary>
internal static class ClientCertificateRefusal
{
    /// <summary>The failure code of a refusal for want of a client certificate.</summary>
    public const string Code = "tls-client-certificate-required";

    /// <summary>Alerts a server sends when it wanted a client certificate and got none.</summary>
    public static bool IsRefusal(short alert) => alert is AlertDescription.certificate_required or AlertDescription.handshake_failure
        or AlertDescription.bad_certificate or AlertDescription.access_denied or AlertDescription.unknown_ca;

    /// <summary>The refusal during the handshake (TLS 1.2, where the server checks before its Finished).</summary>
    public static string DuringHandshake(short alert) =>
        $"The server requires a client certificate (mutual TLS): it asked for one (CertificateRequest) and refused the handshake with the alert " +
        $"{AlertDescription.GetText(alert)} when none came. FlowTrace does not send client certificates.";

    /// <summary>The refusal after the handshake (TLS 1.3, where the server checks after the client's Finished).</summary>
    public static string AfterHandshake(short alert) =>
        $"The server refused the connection with the TLS alert {AlertDescription.GetText(alert)}: it requires a client certificate (mutual TLS). " +
        "It asked for one during the TLS handshake (CertificateRequest) and FlowTrace sent none. A TLS 1.3 server checks the client's certificate " +
        "only after the client's Finished, so its refusal arrives with the first answer, after the handshake looked complete: the failure belongs " +
        "to the TLS handshake.";
}
