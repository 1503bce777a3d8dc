using System.Security.Cryptography.X509Certificates;
using FlowTrace.Contracts.Requests;
using System.Diagnostics;
using System.Security.Cryptography;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tracing;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// The TLS step. BouncyCastle runs in non-blocking mode so that the tracer owns the socket: every chunk is
/// stamped when it arrives (by <see cref="WireConnection"/>), every record is reported as it crosses the wire,
/// and the engine's own computing time is measured per call and reported apart from network time.
/// </summary>
internal sealed partial class TlsHandshaker(TimeProvider time, CertificateValidator validator)
{
    /// <summary>Longest certificate chain the tracer accepts from a server.</summary>
    public const int MaxChainLength = 10;

    /// <summary>Why a TLS 1.3 session is not resumed, said once for the trace and the tests.</summary>
    public const string Tls13ResumptionUnsupported = "TLS 1.3 resumes with a pre-shared key from the server's NewSessionTicket; " +
        "the TLS engine FlowTrace uses (BouncyCastle) reads those tickets but cannot offer one back, so a TLS 1.3 session is not resumed";

    // resuming: null for an ordinary handshake; for the second connection of "again, resuming", the first connection's
    // session, or why it left none.
    public async Task<TlsHandshakeResult> HandshakeAsync(
        WireConnection wire, TraceTarget target, TraceRequest request, TraceRun run, ResumptionOffer? resuming, CancellationToken cancellationToken)
    {
        var serverName = request.Sni switch
        {
            SniMode.None => null,
            SniMode.Custom => request.SniName!.TrimEnd('.'),
            _ => System.Net.IPAddress.TryParse(target.AsciiHost, out _) ? null : target.AsciiHost,
        };
        var versions = request.TlsVersions.OrderDescending().Select(v => v == "1.3" ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12).ToArray();
        run.Started(TraceStep.Tls, serverName is null
                ? "TLS handshake without SNI"
                : $"TLS handshake with SNI {serverName}",
            new TlsStartedDetails(serverName, [.. versions.Select(TlsNames.VersionName)], request.Alpn));
        if (resuming is { Session: null, Reason: { } noSession })
            run.Detail(TraceStep.Tls, $"Nothing to resume, a full handshake: {noSession}");
        else if (resuming?.Session is { } toOffer)
            run.Detail(TraceStep.Tls, $"Offering the first connection's session again ({toOffer.Means}), to skip the certificate and the key exchange");

        // Building the engine and its random source is client work of this step, timed with the cryptography.
        var work = new ClientWorkMeter();
        var incoming = new TlsRecordScanner(WireDirection.ServerToClient);
        var outgoing = new TlsRecordScanner(WireDirection.ClientToServer, incoming);
        var roundTrips = 0;
        var arrivalOfCurrentChunk = run.Now();
        var handshaking = true;
        var client = work.Measure(ClientWorkNames.TlsCrypto, () => new TracingTlsClient(new BcTlsCrypto(new SecureRandom()), serverName, request.Alpn, versions, request.Offer,
            (level, description, message, sent) => run.Detail(
                // After the handshake, alerts (close_notify above all) are part of closing the connection.
                handshaking ? TraceStep.Tls : TraceStep.Connection,
                $"{(sent ? "Sent" : "Received")} {TlsNames.AlertLevelName(level)} alert {TlsNames.AlertName(description)}",
                new TlsAlertDetails(sent ? WireDirection.ClientToServer : WireDirection.ServerToClient, TlsNames.AlertLevelName(level), TlsNames.AlertName(description), description, message),
                sent || !handshaking ? null : arrivalOfCurrentChunk), resuming?.Session, request.AgainResumingSession));
        var certificateRequested = false;
        // Tickets are kept for the Connection handling step: they are about a later connection, not this handshake.
        var tickets = new List<TimeSpan>();
        short? lastReceived = null;
        var protocol = new TracingTlsProtocol(type =>
        {
            lastReceived = type;
            if (handshaking && type == HandshakeType.certificate_request)
                certificateRequested = true;
            // Post-handshake messages (TLS 1.3's session tickets) arrive while HTTP is read and belong to no TLS step.
            if (handshaking)
                run.Detail(TraceStep.Tls, $"Processed {TlsNames.HandshakeTypeName((byte)type)}{KeyExchangeText(type, incoming)}",
                    new TlsHandshakeMessageDetails(WireDirection.ServerToClient, TlsNames.HandshakeTypeName((byte)type)), arrivalOfCurrentChunk);
        }, tickets.Add);

        using var timeout = new CancellationTokenSource(request.Timeouts.Tls, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var network = TimeSpan.Zero;
        long? lastSend = null;
        long? lastArrival = null;
        // A failed handshake's network time: the completed waits, and the one it failed in.
        TimeSpan NetworkUntil(long? end) => network + (lastSend is { } s ? Durations.Positive(run.Between(s, end ?? run.Now())) : TimeSpan.Zero);
        void Fail(string code, string reason, long? at) => run.Failed(TraceStep.Tls, code, reason, at, NetworkUntil(at), work);
        // A round trip: a flight of handshake messages that the server must answer before the handshake can go on (a lone
        // ChangeCipherSpec, which TLS 1.3 clients send for middleboxes, is no flight).
        async Task SendFlightAsync()
        {
            (lastSend, var handshake) = await SendPendingAsync(protocol, wire, outgoing, run, linked.Token).ConfigureAwait(false);
            roundTrips += handshake && protocol.IsHandshaking ? 1 : 0;
        }

        var serverHello = new List<byte>();
        try
        {
            work.Measure(ClientWorkNames.TlsCrypto, () => AsBrowsersDo(() => protocol.Connect(client)));
            await SendFlightAsync().ConfigureAwait(false);
            while (protocol.IsHandshaking)
            {
                var chunk = await wire.ReadAsync(linked.Token).ConfigureAwait(false);
                if (chunk.EndOfStream)
                {
                    Fail("tls-closed", wire.ReadError is { } error
                        ? $"The server reset the connection during the TLS handshake ({error})."
                        : "The server closed the connection during the TLS handshake.", chunk.Timestamp);
                    return new TlsHandshakeResult(null);
                }

                arrivalOfCurrentChunk = chunk.Timestamp;
                lastArrival = chunk.Timestamp;
                foreach (var record in incoming.Feed(chunk.Data.Span))
                {
                    ReportRecord(run, record, chunk.Timestamp);
                    if (record.HandshakeTypes.Contains("hello_retry_request"))
                        run.Detail(TraceStep.Tls, $"HelloRetryRequest: the server wants a key share for {TlsNames.GroupName(incoming.RetryGroup ?? -1)}, " +
                            "which the first ClientHello did not carry; the client sends a second ClientHello, one more round trip",
                            new TlsHandshakeMessageDetails(WireDirection.ServerToClient, "hello_retry_request"), chunk.Timestamp);
                }
                if (incoming.Malformed is { } malformed)
                {
                    Fail("tls-not-tls", $"The server's answer is not TLS: {malformed}.", chunk.Timestamp);
                    return new TlsHandshakeResult(null);
                }

                if (serverHello.Count == 0 && incoming.FirstHelloRecord is { } hello)
                    serverHello.AddRange(hello);

                work.Measure(ClientWorkNames.TlsCrypto, () => AsBrowsersDo(() => protocol.OfferInput(chunk.Data.ToArray())));
                if (protocol.GetAvailableOutputBytes() > 0 || !protocol.IsHandshaking)
                {
                    // The server's flight is complete (we answer it, or the handshake is done): the wait for it is network time.
                    if (lastSend is { } s)
                        network += Durations.Positive(run.Between(s, chunk.Timestamp));

                    lastSend = null;
                }

                if (protocol.GetAvailableOutputBytes() > 0)
                    await SendFlightAsync().ConfigureAwait(false);
            }
        }
        catch (TlsFatalAlertReceived e) when (certificateRequested && ClientCertificateRefusal.IsRefusal(e.AlertDescription))
        {
            Fail(ClientCertificateRefusal.Code, ClientCertificateRefusal.DuringHandshake(e.AlertDescription), lastArrival);
            return new TlsHandshakeResult(null);
        }
        catch (TlsFatalAlertReceived e)
        {
            Fail("tls-alert", $"The server refused the handshake with a fatal alert: {TlsNames.AlertName(e.AlertDescription)}.", lastArrival);
            return new TlsHandshakeResult(null);
        }
        catch (TlsFatalAlert e) when (TooLarge().Match(e.Message) is { Success: true } match)
        {
            Fail("tls-message-too-large", $"The server's {match.Groups[1].Value} message is {long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture):N0} bytes; " +
                $"FlowTrace reads handshake messages of at most {TracingTlsClient.MaxHandshakeMessageBytes:N0} bytes (browsers refuse such sizes too).", lastArrival);
            return new TlsHandshakeResult(null);
        }
        catch (TlsFatalAlert e) when (e.AlertDescription == AlertDescription.unexpected_message && resuming?.Session?.Ticket is not null && lastReceived == HandshakeType.new_session_ticket)
        {
            await SendPendingQuietlyAsync(protocol, wire, outgoing, run).ConfigureAwait(false);
            Fail("tls-resumption-unsupported", "The server took the session ticket and sent a new one within the abbreviated handshake, as RFC 5077 allows " +
                "(Go's TLS servers always do); the TLS engine FlowTrace uses (BouncyCastle) cannot read a ticket there, so this resumption cannot be traced.", lastArrival);
            return new TlsHandshakeResult(null);
        }
        catch (TlsFatalAlert e) when (e.Message.Contains("Certificate chain longer than maximum", StringComparison.Ordinal))
        {
            await SendPendingQuietlyAsync(protocol, wire, outgoing, run).ConfigureAwait(false);
            Fail("tls-chain-too-long", $"The server sent a certificate chain of more than {MaxChainLength} certificates; FlowTrace reads at most {MaxChainLength}.", lastArrival);
            return new TlsHandshakeResult(null);
        }
        catch (TlsFatalAlert e)
        {
            await SendPendingQuietlyAsync(protocol, wire, outgoing, run).ConfigureAwait(false);
            Fail("tls-error", $"The handshake failed: {TlsNames.AlertName(e.AlertDescription)} ({e.Message}).", null);
            return new TlsHandshakeResult(null);
        }
        catch (Exception e) when (e is TlsException or IOException or EndOfStreamException or ArgumentException or InvalidOperationException or CryptographicException)
        {
            Fail("tls-error", $"The handshake failed: {e.Message}", null);
            return new TlsHandshakeResult(null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Fail("tls-timeout", $"The TLS handshake did not complete within {Format.Duration(request.Timeouts.Tls)}.", null);
            return new TlsHandshakeResult(null);
        }

        handshaking = false;
        var negotiated = client.Negotiated!;
        var host = request.Sni == SniMode.Custom ? serverName! : target.AsciiHost;
        // Loaded once for the verdict and the description alike.
        var loaded = work.Measure(ClientWorkNames.CertificateValidation, () => client.ServerCertificates.Select(X509CertificateLoader.LoadCertificate).ToList());
        // A resumed session's certificate was checked on the connection that made it: its findings stand.
        IReadOnlyList<ValidationFinding> findings = negotiated.IsResumedSession ? resuming?.Session?.Findings ?? [] : [];
        List<CertificateInfo> certificates = [];
        StapledOcspResponse? staple = null;
        var now = time.GetUtcNow();
        // A resumed session sends no certificate: it was checked on the connection that made the session.
        if (!negotiated.IsResumedSession)
        try
        {
            findings = work.Measure(ClientWorkNames.CertificateValidation,
                () => validator.Validate(client.ServerCertificates, loaded, host, now, request.ExtraTrustedRoots));
            if (client.StapledOcsp is { } der && loaded.Count > 0)
            {
                staple = work.Measure(ClientWorkNames.CertificateValidation, () => OcspStapleReader.Read(der, loaded[0].SerialNumberBytes.ToArray()));
                findings = [.. findings, .. OcspStapleReader.Findings(staple, now)];
            }
            certificates = work.Measure(ClientWorkNames.CertificateValidation, () => loaded.Select(CertificateInspector.Describe).ToList());
        }
        finally
        {
            loaded.ForEach(c => c.Dispose());
        }
        var crypto = work.Elapsed(ClientWorkNames.TlsCrypto);
        var version = TlsNames.VersionName(negotiated.NegotiatedVersion);
        var suite = TlsNames.CipherSuiteName(negotiated.CipherSuite);
        // TLS 1.2's group is in the ServerKeyExchange, which the engine does not keep.
        var group = negotiated.NegotiatedGroup >= 0 ? TlsNames.GroupName(negotiated.NegotiatedGroup)
            : incoming.KeyExchangeGroup is { } offered ? TlsNames.GroupName(offered) : null;
        var retryGroup = incoming.RetryGroup is { } asked ? TlsNames.GroupName(asked) : null;
        var signature = incoming.KeyExchangeSignature is { } signed ? TlsNames.SignatureSchemeName(signed) : null;
        byte[] clientHelloBytes = outgoing.FirstHelloRecord ?? [], serverHelloBytes = [.. serverHello];
        var resumption = resuming is null ? null : new TlsResumption(resuming.Session?.Means, negotiated.IsResumedSession,
            negotiated.IsResumedSession ? null : resuming.Reason ?? $"the server did not take the {resuming.Session!.Means}: it made a new session");
        var details = new TlsHandshakeDetails(serverName, version, suite, group, client.SelectedAlpn, network, crypto,
            clientHelloBytes, serverHelloBytes, certificates, findings, work.Elapsed(ClientWorkNames.CertificateValidation),
            roundTrips, retryGroup, certificateRequested, staple, signature,
            HelloAnnotator.Annotate(clientHelloBytes), HelloAnnotator.Annotate(serverHelloBytes), resumption);
        var verdict = negotiated.IsResumedSession
            ? $"session resumed ({resumption!.Offered}): no certificate sent; on the first connection it was " +
              (details.CertificateAccepted ? "valid" : $"refused by a browser's rules: {string.Join("; ", findings.Select(f => f.Code))}")
            : details.CertificateAccepted
            ? "certificate valid"
            : $"a browser would refuse this certificate: {string.Join("; ", findings.Select(f => f.Code))}";
        run.Completed(TraceStep.Tls,
            $"{version} {suite}{(group is null ? "" : $" ({group}{(signature is null ? "" : $", signed {signature}")})")}{AlpnText(client.SelectedAlpn, request.Alpn)}; " +
            $"{roundTrips} round trip{(roundTrips == 1 ? "" : "s")}{(retryGroup is null ? "" : $" (HelloRetryRequest for {retryGroup})")}; " +
            (certificateRequested ? "the server asked for a client certificate (mutual TLS), FlowTrace sent none; " : "") +
            (staple is null ? "" : $"OCSP response stapled ({staple.CertificateStatus ?? staple.ResponseStatus}); ") +
            $"network {Format.Duration(network)}, cryptography {Format.Duration(crypto)}, certificate checks {Format.Duration(details.CertificateValidationTime)}; {verdict}",
            details, network: network, work: work);
        var leftForResumption = client.Resumable is { } resumable ? new ResumptionOffer(resumable with { Findings = findings }, null)
            : new ResumptionOffer(null, TlsUtilities.IsTlsV13(negotiated.NegotiatedVersion) ? Tls13ResumptionUnsupported
                : "the server issued neither a session ticket nor a session ID, so it offers no way to resume");
        return new TlsHandshakeResult(new TlsSession(protocol, wire, tickets, client.SelectedAlpn, request.Alpn.Count > 0, certificateRequested, leftForResumption));
    }

    /// <summary>
    /// Runs the engine without BouncyCastle's Miller-Rabin tests of the server's RSA modulus (FIPS SP 800-89 key
    /// assurance): 15 ms of a 2048-bit handshake here, which no browser or curl spends, so "TLS cryptography" would teach
    /// that RSA costs ten times what it costs a browser. The signature checks themselves are unchanged. The setting is
    /// BouncyCastle's own, scoped to this thread for this call.
    /// </summary>
    private static void AsBrowsersDo(Action engineCall) =>
        Org.BouncyCastle.Utilities.Properties.WithThreadProperty("Org.BouncyCastle.Rsa.MaxMRTests", "0", engineCall);

    /// <summary>Sends what the engine has; returns when it left and whether it carried a handshake message.</summary>
    private static async Task<(long SentAt, bool Handshake)> SendPendingAsync(TlsClientProtocol protocol, WireConnection wire, TlsRecordScanner outgoing, TraceRun run, CancellationToken cancellationToken)
    {
        var pending = protocol.GetAvailableOutputBytes();
        var output = new byte[pending];
        var count = protocol.ReadOutput(output, 0, pending);
        var records = outgoing.Feed(output.AsSpan(0, count));
        var sentAt = await wire.WriteAsync(output.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
            ReportRecord(run, record, sentAt);
        return (sentAt, records.Any(r => r.ContentType == TlsNames.ContentTypeName((byte)ContentType.handshake)));
    }

    private static async Task SendPendingQuietlyAsync(TlsClientProtocol protocol, WireConnection wire, TlsRecordScanner outgoing, TraceRun run)
    {
        try
        {
            if (protocol.GetAvailableOutputBytes() > 0)
                await SendPendingAsync(protocol, wire, outgoing, run, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The alert could not be delivered; the failure is reported anyway.
        }
    }

    /// <summary>What a TLS 1.2 ServerKeyExchange carried (the records were scanned before the engine read them).</summary>
    private static string KeyExchangeText(short type, TlsRecordScanner incoming) =>
        type == HandshakeType.server_key_exchange && incoming.KeyExchangeGroup is { } group
            ? $": ECDHE on {TlsNames.GroupName(group)}{(incoming.KeyExchangeSignature is { } signed ? $", signed with {TlsNames.SignatureSchemeName(signed)}" : "")}"
            : "";

    /// <summary>The protocol the server chose, or that it chose none of those offered.</summary>
    private static string AlpnText(string? selected, IReadOnlyList<string> offered) => selected is not null
        ? $", ALPN {selected}"
        : offered.Count > 0 ? $", no ALPN protocol chosen (offered {string.Join(", ", offered)})" : "";

    private static void ReportRecord(TraceRun run, TlsRecordDetails record, long at)
    {
        var arrow = record.Direction == WireDirection.ClientToServer ? "→" : "←";
        var messages = record.HandshakeTypes.Count > 0 ? $" ({string.Join(", ", record.HandshakeTypes)})" : "";
        run.Detail(TraceStep.Tls, $"{arrow} {record.ContentType}{messages}, {record.Length} bytes", record, at);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Handshake message length exceeds the maximum: (\w+)\(\d+\), (\d+) >")]
    private static partial System.Text.RegularExpressions.Regex TooLarge();
}
