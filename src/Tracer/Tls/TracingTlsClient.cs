using System.Text;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// BouncyCastle's client, told what to offer and made to report what it sees rather than to judge it:
/// certificate validation is ours (<see cref="CertificateValidator"/>), so an invalid certificate is a finding.
/// </summary>
internal sealed class TracingTlsClient(
    TlsCrypto crypto, string? serverName, IReadOnlyList<string> alpn, ProtocolVersion[] versions, TlsOffer? offer, Action<short, short, string?, bool> onAlert,
    ResumableTlsSession? resume = null, bool keepForResumption = false)
    : DefaultTlsClient(crypto)
{
    private byte[]? _ticket;

    /// <summary>What this handshake leaves for resuming it on a new connection (TLS 1.2 only), once it completed; null
    /// when the server offered no way back (neither a ticket nor a session ID) or the version was TLS 1.3.</summary>
    public ResumableTlsSession? Resumable { get; private set; }

    /// <summary>The certificates the server sent, DER-encoded, leaf first.</summary>
    public IReadOnlyList<byte[]> ServerCertificates { get; private set; } = [];

    /// <summary>The negotiated parameters, once the handshake completed.</summary>
    public SecurityParameters? Negotiated { get; private set; }

    /// <summary>The OCSP response the server stapled to its certificate (DER), or null.</summary>
    public byte[]? StapledOcsp { get; private set; }

    /// <summary>The ALPN protocol the server selected, if any.</summary>
    public string? SelectedAlpn { get; private set; }

    /// <summary>The largest handshake message read (a certificate chain, usually); OpenSSL's own default is 100 KiB.</summary>
    public const int MaxHandshakeMessageBytes = 128 * 1024;

    public override TlsAuthentication GetAuthentication() => new RecordingAuthentication(this);

    public override int GetMaxHandshakeMessageSize() => MaxHandshakeMessageBytes;

    public override int GetMaxCertificateChainLength() => TlsHandshaker.MaxChainLength;

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) =>
        onAlert(alertLevel, alertDescription, message, true);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) =>
        onAlert(alertLevel, alertDescription, null, false);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Negotiated = m_context.SecurityParameters;
        SelectedAlpn = Negotiated.ApplicationProtocol?.GetUtf8Decoding();
        Resumable = KeepForResumption();
    }

    /// <summary>TLS 1.2's NewSessionTicket: kept to offer on the next connection (the engine itself drops it).</summary>
    public override void NotifyNewSessionTicket(NewSessionTicket newSessionTicket)
    {
        base.NotifyNewSessionTicket(newSessionTicket);
        _ticket = newSessionTicket.Ticket is { Length: > 0 } ticket ? ticket : null;
    }

    /// <summary>A session without the extended master secret (RFC 7627) is offered all the same: BouncyCastle refuses to
    /// by default, and then the ticket would go out with no session to match the server's abbreviated handshake. The
    /// tracer never renegotiates, which is where such sessions are a danger.</summary>
    public override bool AllowLegacyResumption() => resume is not null;

    /// <summary>The session offered for resumption, when this connection is the second of a pair.</summary>
    public override Org.BouncyCastle.Tls.TlsSession GetSessionToResume() =>
        resume is null ? null! : TlsUtilities.ImportSession(resume.SessionId, resume.Parameters.Copy());

    private byte[] NewSessionId()
    {
        var id = new byte[32];
        m_context.Crypto.SecureRandom.NextBytes(id);
        return id;
    }

    private ResumableTlsSession? KeepForResumption()
    {
        if (!keepForResumption || TlsUtilities.IsTlsV13(Negotiated!.NegotiatedVersion) || m_context.Session?.ExportSessionParameters() is not { } exported)
            return null;
        var sessionId = _ticket is not null ? NewSessionId() : Negotiated.SessionID is { Length: > 0 } id ? id : null;
        if (sessionId is null)
            return null;
        // The session's master secret is the connection's own and is destroyed with it: the copy is the next one's.
        var parameters = new SessionParameters.Builder()
            .SetCipherSuite(exported.CipherSuite)
            .SetExtendedMasterSecret(exported.IsExtendedMasterSecret)
            .SetMasterSecret(m_context.Crypto.AdoptSecret(exported.MasterSecret))
            .SetNegotiatedVersion(exported.NegotiatedVersion)
            .SetPeerCertificate(exported.PeerCertificate)
            .SetServerExtensions(exported.ReadServerExtensions())
            .Build();
        return new ResumableTlsSession(sessionId, _ticket, parameters);
    }

    /// <summary>Adds the session_ticket extension, as browsers send: empty, so that a TLS 1.2 server may issue a ticket
    /// (TLS 1.3 servers issue them unasked), or carrying the ticket of the session this connection resumes.</summary>
    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = base.GetClientExtensions();
        if (versions.Any(v => !TlsUtilities.IsTlsV13(v)))
            extensions[ExtensionType.session_ticket] = resume?.Ticket ?? TlsExtensionsUtilities.CreateEmptyExtensionData();
        return extensions;
    }

    protected override IList<ServerName>? GetSniServerNames() =>
        serverName is null ? null : [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(serverName))];

    protected override IList<ProtocolName> GetProtocolNames() => [.. alpn.Select(ProtocolName.AsUtf8Encoding)];

    protected override ProtocolVersion[] GetSupportedVersions() => versions;

    protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) => offer?.Groups ?? base.GetSupportedGroups(namedGroupRoles);

    public override IList<int> GetEarlyKeyShareGroups() => offer?.Groups is { } groups ? [groups[0]] : base.GetEarlyKeyShareGroups();

    /// <summary>What a browser offers (Chrome's list, in its order), so that a server that speaks only some of these
    /// (AES-256 alone, RSA key exchange alone) meets FlowTrace as it meets a browser.</summary>
    private static readonly int[] BrowserCipherSuites =
    [
        CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
    ];

    protected override int[] GetSupportedCipherSuites() => offer?.CipherSuites ?? TlsUtilities.GetSupportedCipherSuites(Crypto, BrowserCipherSuites);

    protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithms() =>
        offer?.SignatureAlgorithms ?? base.GetSupportedSignatureAlgorithms();

    private sealed class RecordingAuthentication(TracingTlsClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            owner.ServerCertificates = [.. serverCertificate.Certificate.GetCertificateList().Select(c => c.GetEncoded())];
            owner.StapledOcsp = OcspStapleReader.Staple(serverCertificate);
        }

        public TlsCredentials? GetClientCredentials(CertificateRequest certificateRequest) => null;
    }
}
