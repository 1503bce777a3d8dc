using FlowTrace.Contracts.Events;

namespace FlowTrace.Client.Services;

/// <summary>"What just happened, and why it took this long", in plain words and with this trace's own numbers.</summary>
public static class Explanations
{
    /// <summary>The explanation of a step, or null while it has not finished.</summary>
    public static string? For(StepState step)
    {
        if (step.Done is not { } done)
            return step.Status == "skipped" ? Skipped(step) : null;
        if (done.Details is StepFailureDetails failure)
            return failure.Code == "http2-stream-refused"
                ? $"The server refused the request's stream: {failure.Reason} A browser sends such a request again, once, on a new connection, and so does the trace: the next hop is that second try, unless this already was one."
                : $"This step failed: {failure.Reason} Everything after it could not happen.";
        var took = StepNames.Ms(done.Duration);
        var text = step.Step switch
        {
            TraceStep.Dns => Dns(step, took),
            TraceStep.Tcp => Tcp(step, took),
            TraceStep.Tls => Tls(step, took),
            TraceStep.HttpRequest => step.Details<HttpRequestDetails>().FirstOrDefault() is { Wire: not null } h2
                ? $"The request went out as HTTP/2 frames in {took}: a HEADERS frame whose header fields HPACK compressed to {h2.Bytes - 9} bytes" +
                  $"{(h2.WireFields?.Any(f => f.Name == "Connection preface") == true ? ", after the connection preface and the client's SETTINGS, which a new HTTP/2 connection sends once" : "")}. " +
                  "Unlike HTTP/1.1, which writes text lines, HTTP/2 sends binary frames on a numbered stream, so one connection carries several requests at once."
                : $"The request line and headers were written to the connection in {took}. A GET has no body, so this is quick: it is the waiting that follows that takes time.",
            TraceStep.ServerProcessing => ServerProcessing(step, took),
            TraceStep.HttpResponse => Response(step, took),
            TraceStep.Connection => Connection(step),
            _ => null,
        };
        return done.Split is { } split && TimeSplitWords.ColdStart(split) is { } cold ? $"{text} {cold}".Trim() : text;
    }

    /// <summary>Where the step's time went, in words, or null while it has not finished.</summary>
    public static string? TimeSplit(StepState step) => step.Done?.Split is { } split ? $"Of {StepNames.Ms(step.Done.Duration)}: {TimeSplitWords.Summary(split)}." : null;

    private static string Skipped(StepState step) =>
        step.NotReached ? "This step did not run: an earlier step failed."
        : step.Step == TraceStep.Tls ? "No TLS: this is plain http, so everything crossed the network readable by anyone on the path."
        : "This step did not run.";

    private static string Dns(StepState step, string took)
    {
        if (step.Details<DnsSkippedDetails>().FirstOrDefault() is { } skipped)
            return skipped.Reason switch
            {
                DnsSkipReason.IpLiteral => "The URL already holds an IP address, so there was no name to look up.",
                DnsSkipReason.EarlierConnection => "The new connection goes to the address the first one used, so no query was sent (a browser would use the answer it cached).",
                _ => $"The name is listed in {skipped.Source}, which the system reads before asking DNS, so no query was sent.",
            };
        var queries = step.Details<DnsQueryDetails>().ToList();
        var result = step.Details<DnsResultDetails>().FirstOrDefault();
        if (result?.Delegations is { } walked)
            return $"Resolved from the root, as dig +trace does: {queries.Count} quer{(queries.Count == 1 ? "y" : "ies")} in {took}, down the zones {string.Join(" → ", walked)}. " +
                   "Each server that does not hold the name answers with a referral: the servers of a zone one step closer to it, with their addresses (glue). " +
                   $"The last server, {result.Resolver}, answered with the address{(queries.Count > 0 && queries[^1].Authoritative ? " for its own zone (authoritative)" : ", though not as the zone's own server (no AA bit)")}. A recursive resolver does this walk for you and caches each step for its TTL, " +
                   "which is why an ordinary lookup is one query to it.";
        var chain = result is { CnameChain.Count: > 1 } ? $" The name is an alias: DNS followed {string.Join(" → ", result.CnameChain)}." : "";
        var ttl = queries.SelectMany(q => q.Answers).Select(a => a.TimeToLive).DefaultIfEmpty(0).Min();
        return $"Computers connect to addresses, not names, so the name was asked of the resolver {result?.Resolver}. " +
               $"{queries.Count} quer{(queries.Count == 1 ? "y" : "ies")} (A for IPv4, AAAA for IPv6) went out in parallel and the answers took {took}.{chain} " +
               $"The answer may be cached for {ttl} s, so a second visit would usually skip this wait.";
    }

    private static string Tcp(StepState step, string took)
    {
        var connected = step.Details<TcpConnectedDetails>().FirstOrDefault();
        if (connected is { Reused: true })
            return "The previous response left the connection open (keep-alive), so no new connection was needed: that saves a round trip, and the TLS handshake too.";
        var attempts = step.Details<TcpAttemptDetails>().Count(a => a.Outcome is not TcpAttemptOutcome.Started);
        var race = attempts > 1 ? $" {attempts} attempts were made: when one address does not answer quickly, the next is tried (Happy Eyeballs)." : "";
        var rtt = connected?.KernelRtt is { } r ? $" The kernel estimates the round-trip time to this server at {StepNames.Ms(r)}." : "";
        // The handshake is the kernel's own measurement where it has one; the step also holds this machine's own work.
        var own = connected is not null && step.Done?.Duration is { } duration && duration > 2 * connected.HandshakeTime && attempts <= 1
            ? $" The step took {took} in all: the rest is this computer's own work (the connect call and waking the thread that waited for it)."
            : "";
        return $"SYN, SYN-ACK, ACK: the three-way handshake took {StepNames.Ms(connected?.HandshakeTime)}, one round trip to the server.{own}{race}{rtt}";
    }

    private static string Tls(StepState step, string took)
    {
        if (step.Details<TlsHandshakeDetails>().FirstOrDefault() is not { } tls)
            return $"The TLS handshake took {took}.";
        // The count the handshake measured; events of older servers carry none, and then the version's usual count.
        var count = tls.RoundTrips > 0 ? tls.RoundTrips : tls.Version == "TLS 1.3" ? 1 : 2;
        var trips = count == 1 ? "one round trip" : count == 2 ? "two round trips" : $"{count} round trips";
        if (tls.HelloRetryGroup is { } retry)
            trips += $" (the server wanted a key share for {retry}, which the first ClientHello did not carry, so it answered with a " +
                     "HelloRetryRequest and the client had to say hello again: one more round trip than TLS 1.3 needs)";
        var verdict = tls.Resumption is { Accepted: true } resumed
            ? $"The server took back the first connection's session ({resumed.Offered}): the handshake was abbreviated, with no certificate to send or check and no new key exchange; both sides derived fresh keys from the session's secret."
            : tls.CertificateAccepted
            ? "The certificate checks out: it chains to a trusted root, names this host and is in date."
            : $"A browser would refuse this certificate: {string.Join(" ", tls.Findings.Select(f => f.Message))}";
        if (tls.Resumption is { Accepted: false, Reason: { } notResumed })
            verdict = $"No resumption, a full handshake: {notResumed}. {verdict}";
        var split = step.Done?.Split;
        var client = split is null ? "" : $" and {StepNames.Ms(split.Client)} was this computer's own work: {StepNames.Ms(split.Part(ClientWorkNames.TlsCrypto))} of cryptography, " +
            $"{StepNames.Ms(split.Part(ClientWorkNames.CertificateValidation))} checking the certificate, the rest the tracer's own work";
        var mutual = tls.ClientCertificateRequested
            ? " The server asked for a client certificate (mutual TLS, CertificateRequest); FlowTrace sends none, so a server that requires one refuses the connection."
            : "";
        var staple = tls.StapledOcsp is { ResponseStatus: "successful" } ocsp
            ? $" The server stapled an OCSP response to its certificate ({ocsp.CertificateStatus}{(ocsp.NextUpdate is { } next ? $", valid until {next:yyyy-MM-dd}" : "")}): its CA's signed word that the certificate is not revoked, so the browser need not ask the CA itself."
            : "";
        return $"Client and server agreed on {tls.Version} with {tls.CipherSuite} in {trips}.{mutual}{staple} Of {took}, {StepNames.Ms(split?.Network ?? tls.NetworkTime)} was waiting for the network{client}. {verdict}";
    }

    private static string ServerProcessing(StepState step, string took)
    {
        var details = step.Details<ServerProcessingDetails>().FirstOrDefault();
        var timing = details is { ServerTiming.Count: > 0 }
            ? $" The server says where it spent the time (Server-Timing): {string.Join(", ", details.ServerTiming.Select(m => $"{m.Description ?? m.Name} {m.Duration} ms"))}."
            : " The server did not say where it spent the time (no Server-Timing header).";
        return $"The first byte of the answer arrived {took} after the request left. That is one network round trip plus however long the server worked.{timing}";
    }

    private static string Response(StepState step, string took)
    {
        if (step.Details<HttpResponseDetails>().FirstOrDefault() is not { } response)
            return $"The response took {took}.";
        var framing = response.Framing switch
        {
            BodyFraming.Chunked => "in chunks (the server did not know the size in advance)",
            BodyFraming.ContentLength => "with its size announced up front (Content-Length)",
            BodyFraming.UntilClose => "until the server closed the connection",
            BodyFraming.EndStream => "in DATA frames, until the one flagged END_STREAM (HTTP/2 needs neither a size nor chunks: frames carry their length)",
            _ => "with no body",
        };
        var status = response.ReasonPhrase.Length > 0 ? $"{response.StatusCode} {response.ReasonPhrase}" : $"{response.StatusCode}";
        return $"Status {status}; {response.BodyBytes:N0} bytes of body arrived {framing} over {took} after the first byte.{Http2Response(step)}";
    }

    /// <summary>What HTTP/2 did differently in the response: the header block HPACK carried, and flow control.</summary>
    private static string Http2Response(StepState step)
    {
        var frames = step.Details<Http2FrameDetails>().ToList();
        if (frames.FirstOrDefault(f => f is { Direction: WireDirection.ServerToClient, FrameType: "HEADERS", HeaderBlock: not null }) is not { HeaderBlock: { } block })
            return "";
        var tabled = block.Fields.Count(f => f.Carried.StartsWith("static", StringComparison.Ordinal) || f.Carried.StartsWith("dynamic", StringComparison.Ordinal));
        var continuations = frames.Count(f => f is { Direction: WireDirection.ServerToClient, FrameType: "CONTINUATION" });
        var spread = continuations > 0 ? $", more than one frame holds, so it went on in {continuations} CONTINUATION frame{(continuations == 1 ? "" : "s")}" : "";
        var updates = frames.Count(f => f is { Direction: WireDirection.ClientToServer, FrameType: "WINDOW_UPDATE" });
        var flow = updates > 0
            ? $" As it read, the client gave the server back its window in {updates} WINDOW_UPDATE frame{(updates == 1 ? "" : "s")} (flow control: the server may send only as much as the client's window allows)."
            : " The body fitted in the window the client opened at the start, so flow control needed no WINDOW_UPDATE.";
        var fromTables = block.FieldsListed ? $"; {tabled} of its {block.Fields.Count} fields came whole from HPACK's tables" : $" ({block.FieldCount} fields, not listed: this connection's budget for listed header text was spent)";
        return $" The response's headers took {block.WireBytes:N0} bytes of HPACK for {block.PlainBytes:N0} bytes as text{spread}{fromTables}. " +
               $"HTTP/1.1 would have sent every header as text.{flow}";
    }

    private static string Connection(StepState step) =>
        // The server's GOAWAY belongs to the step it arrived in; here is the client's own, sent when it is done.
        step.Details<Http2FrameDetails>().FirstOrDefault(f => f is { FrameType: "GOAWAY", Direction: WireDirection.ClientToServer }) is { } goAway
            ? (goAway.Summary.EndsWith(": NO_ERROR", StringComparison.Ordinal)
                ? "FlowTrace closed the HTTP/2 connection politely: a GOAWAY frame first (NO_ERROR; last stream 0, for the client accepts no streams from the server, having refused push), then the close. "
                : $"FlowTrace gave up on the HTTP/2 connection with a GOAWAY frame naming the error ({goAway.Summary[(goAway.Summary.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]}), then closed it. ") +
              (step.Details<ConnectionDetails>().FirstOrDefault() is { KeepAlive: true }
                  ? "Until then the connection could have carried more requests, as new streams, even several at once: HTTP/2 needs no second connection for that, where HTTP/1.1 waits for each answer or opens another."
                  : "A next request needs a new connection.") + (step.Details<ConnectionDetails>().FirstOrDefault() is { } tickets ? Tickets(tickets) : "")
            : step.Details<ConnectionDetails>().FirstOrDefault() is { } c
            ? c.ClosedBy switch
            {
                ConnectionCloser.Server => "The server hung up first, so a next request to it needs a new connection: a TCP handshake and a TLS handshake again.",
                ConnectionCloser.Client when c.KeepAlive => "The connection could have carried a next request to this server with no new TCP or TLS handshake: " +
                    "a browser keeps it open for a while for that. FlowTrace closes it because the trace is done with it.",
                ConnectionCloser.Client => "The connection could not carry another request, so FlowTrace closed it: a next request needs a new connection.",
                _ => "The connection stays open and carries the next request: no new TCP or TLS handshake for it.",
            } + Tickets(c)
            : "";

    private static string Tickets(ConnectionDetails c) => c.SessionTicketLifetimes is { Count: > 0 } tickets
        ? $" The server also issued {(tickets.Count == 1 ? "a session ticket" : $"{tickets.Count} session tickets")} (NewSessionTicket, valid " +
          $"{string.Join(", ", tickets.Distinct().Select(StepNames.Lifetime))}): a later connection could present one to resume TLS with a shorter handshake (“Then again on a new connection, resuming the TLS session” shows it, for TLS 1.2; TLS 1.3's tickets FlowTrace cannot offer back)."
        : "";
}
