using System.Net;
using System.Runtime.CompilerServices;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Dns;
using FlowTrace.Tracer.Http;
using FlowTrace.Tracer.Http2;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tls;

namespace FlowTrace.Tracer.Tracing;

/// <summary>The tracer: DNS, TCP, TLS and HTTP, each step reported as events with wire timings.</summary>
public sealed class FlowTracer : ITracer
{
    private static readonly int[] RedirectStatuses = [301, 302, 303, 307, 308];
    private static readonly TimeSpan ServerCloseGrace = TimeSpan.FromMilliseconds(500);
    private readonly TracerOptions _options;
    private readonly DnsStep _dns;
    private readonly TcpConnector _tcp;
    private readonly TlsHandshaker _tls;
    private readonly HttpExchange _http;
    private readonly Http2Exchange _http2;
    private readonly Lazy<Task> _warmUp;

    /// <summary>Creates a tracer; zero configuration uses the system clock, hosts file and resolvers.</summary>
    public FlowTracer(TracerOptions? options = null)
        : this(options, null)
    {
    }

    /// <summary>A tracer whose blocking socket calls run on <paramref name="threads"/> (the warm-up's twin shares its
    /// tracer's, so that the first real trace finds them started).</summary>
    private FlowTracer(TracerOptions? options, BlockingThreads? threads)
    {
        _options = options ?? new TracerOptions();
        var time = _options.TimeProvider;
        _dns = new DnsStep(_options);
        _tcp = new TcpConnector(time, _options.DestinationPolicy, threads);
        _tls = new TlsHandshaker(time, new CertificateValidator(time));
        _http = new HttpExchange(time);
        _http2 = new Http2Exchange(time);
        // The warm-up traces throw-away servers on loopback, which a server's destination policy rightly refuses: it runs
        // through a twin that allows them. JIT compilation is per process, so the twin warms this tracer too.
        _warmUp = new Lazy<Task>(() =>
        {
            if (!_options.WarmUp)
                return Task.CompletedTask;
            // The twin's open policy never asks this tracer's policy anything: ask it here, so that its first real
            // answer is not compiled during a user's TCP step (6.8 ms in a local-mode server's first trace).
            TracerWarmUp.AskPolicy(_options.DestinationPolicy);
            return TracerWarmUp.RunAsync(new FlowTracer(_options with { WarmUp = false, DestinationPolicy = Policy.DestinationPolicy.Open }, _tcp.Threads), _options.WarmUpObserver);
        });
    }

    /// <summary>Threads kept for blocking socket calls, alive now (tests: the warm-up leaves them to the first trace).</summary>
    internal int KeptThreads => _tcp.Threads.Threads;

    /// <summary>Runs the warm-up now (once per tracer), so that a host can have it done before the first request.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken = default) => _warmUp.Value.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TraceEvent> TraceAsync(TraceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _warmUp.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var traceEvent in RunAsync(request, cancellationToken).ConfigureAwait(false))
            yield return traceEvent;
    }

    /// <summary>The trace itself, once the warm-up is done.</summary>
    private async IAsyncEnumerable<TraceEvent> RunAsync(TraceRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = new TraceRun(_options.TimeProvider, request.PauseAfterStep);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(request, run, stop.Token), CancellationToken.None);
        try
        {
            // Read to the producer's end, not to the token's: the producer sees the same token and, when it is
            // cancelled, still tells which step was stopped and ends with the summary, so a cancelled trace is whole.
            await foreach (var traceEvent in run.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return traceEvent;
        }
        finally
        {
            // The consumer stopped (finished, cancelled or broke off): stop the trace and let it clean up.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private async Task ProduceAsync(TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        StepFailureDetails? failure = null;
        string finalUrl = request.Url;
        int? finalStatus = null;
        run.Begin();
        try
        {
            var errors = TraceRequestValidator.Validate(request);
            if (errors.Count > 0)
            {
                failure = new StepFailureDetails(StepFailureDetails.InvalidRequest, string.Join(" ", errors));
                run.Failed(TraceStep.Trace, failure.Code, failure.Reason);
                return;
            }

            using var total = new CancellationTokenSource(request.Timeouts.Total, _options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token);
            try
            {
                (failure, finalUrl, finalStatus) = await RunHopsAsync(request, run, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (total.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                failure = new StepFailureDetails("trace-timeout", $"The whole trace took longer than {Format.Duration(request.Timeouts.Total)}.");
                FailOpenSteps(run, failure);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            failure = new StepFailureDetails(StepFailureDetails.Cancelled, "The trace was cancelled.");
            FailOpenSteps(run, failure);
        }
#pragma warning disable CA1031 // Every failure must become an event, never an unhandled exception in a host.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = new StepFailureDetails("internal-error", $"The tracer failed unexpectedly: {e.GetType().Name}: {e.Message}");
            FailOpenSteps(run, failure);
        }
        finally
        {
            run.Summary(failure, finalUrl, finalStatus);
            run.Complete();
        }
    }

    private static void FailOpenSteps(TraceRun run, StepFailureDetails failure)
    {
        foreach (var step in Enum.GetValues<TraceStep>().Where(run.IsOpen))
            run.Failed(step, failure.Code, failure.Reason);
    }

    private async Task<(StepFailureDetails? Failure, string FinalUrl, int? FinalStatus)> RunHopsAsync(
        TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        var target = TraceRequestValidator.ParseTarget(request.Url);
        var origin = target;
        OpenConnection? kept = null;
        int? status = null;
        var againSent = false;
        // A refused stream is sent again once per request (per target); redirects are counted apart from such hops.
        var retried = false;
        var redirects = 0;
        (IPEndPoint Address, ResumptionOffer? Offer)? resumeFrom = null;
        try
        {
            for (var hop = 0; ; hop++)
            {
                run.Hop = hop;
                var connectTo = ConnectTarget(request, origin, target);
                run.Detail(TraceStep.Trace, hop == 0 ? $"Tracing {target.Uri}" : $"Hop {hop}: {target.Uri}",
                    new TraceStartedDetails(target.Uri.ToString(), request.Method, target.Uri.Scheme, target.Host, target.AsciiHost, target.Port,
                        connectTo?.Host, connectTo?.Port ?? target.Port), hop == 0 ? run.StartTimestamp : null);

                var connection = kept ?? await OpenAsync(target, connectTo, request, run, resumeFrom, cancellationToken).ConfigureAwait(false);
                kept = null;
                resumeFrom = null;
                if (connection is null)
                    return (run.LastFailure, target.Uri.ToString(), status);
                if (connection.Reused)
                {
                    run.Started(TraceStep.Tcp, "The previous hop kept the connection alive");
                    run.Completed(TraceStep.Tcp, $"Reusing the kept-alive connection {connection.Wire.LocalEndPoint} → {connection.Wire.RemoteEndPoint}",
                        new TcpConnectedDetails(connection.Wire.LocalEndPoint.ToString(), connection.Wire.RemoteEndPoint.ToString(), 0, TimeSpan.Zero, true, connection.Wire.KernelRtt(), true));
                }

                var exchange = connection.Http2 is { } h2
                    ? await _http2.RunAsync(h2, target, request, run, cancellationToken).ConfigureAwait(false)
                    : request.Alpn is ["h2"] ? NoHttp2(connection, target, run)
                    : await _http.RunAsync(connection.Stream, target, request, run, cancellationToken).ConfigureAwait(false);
                status = exchange.Head?.StatusCode ?? status;

                TraceTarget? next = null;
                StepFailureDetails? redirectFailure = null;
                if (!exchange.Failed && exchange.Head is { } head && request.FollowRedirects && RedirectStatuses.Contains(head.StatusCode) && head.Value("Location") is { } location)
                    (next, redirectFailure) = NextHop(target, location, redirects, request.MaxRedirects);

                // Read once: the server's FIN may arrive at any moment, and what is decided here must hold for the whole turn.
                var peerClosed = connection.Wire.PeerClosed;
                // Warm against cold: the same request once more, on this connection or on a new one resuming its TLS session.
                var again = next is null && redirectFailure is null && !againSent && !exchange.Failed
                    ? request.AgainOnSameConnection ? AgainKind.SameConnection : request.AgainResumingSession ? AgainKind.Resuming : AgainKind.None
                    : AgainKind.None;
                // Why there is no second request is said once the connection is dealt with: the connection step follows the
                // response at once, so that no time falls between the steps.
                string? noAgain = null;
                if (again == AgainKind.SameConnection && (!exchange.KeepAlive || peerClosed))
                {
                    noAgain = $"No second request on this connection: the server does not keep it ({(peerClosed ? "it closed the connection" : exchange.KeepAliveReason)})";
                    again = AgainKind.None;
                }

                if (again == AgainKind.Resuming && connection.Tls is null)
                {
                    noAgain = "No second request resuming a TLS session: this connection was plain HTTP, there is no session to resume";
                    again = AgainKind.None;
                }

                if (again != AgainKind.None)
                {
                    next = target;
                    againSent = true;
                    // The same request again is a request of its own: a refusal of it may be sent again too.
                    retried = false;
                }

                var reuse = next is not null && again != AgainKind.Resuming && exchange.KeepAlive && next.SameOrigin(target) && !peerClosed;
                await FinishConnectionAsync(connection, exchange, reuse, run, cancellationToken).ConfigureAwait(false);
                if (noAgain is not null)
                    run.Detail(TraceStep.Trace, noAgain);
                if (next is not null && !exchange.Failed && redirectFailure is null)
                    run.IntervalUntilNextStep(again switch
                    {
                        AgainKind.SameConnection => TraceIntervalNames.Again,
                        AgainKind.Resuming => TraceIntervalNames.Resumed,
                        _ => TraceIntervalNames.Redirect,
                    });
                if (next is not null && !exchange.Failed)
                    await run.PauseAfterAsync(TraceStep.Connection, reuse ? TraceStep.HttpRequest : TraceStep.Dns, cancellationToken).ConfigureAwait(false);
                if (exchange is { Failed: true, Unprocessed: true } && !retried)
                {
                    // Once, as browsers do: a second refusal is the answer.
                    retried = true;
                    run.IntervalUntilNextStep(TraceIntervalNames.Retry);
                    await run.PauseAfterAsync(TraceStep.Connection, TraceStep.Dns, cancellationToken).ConfigureAwait(false);
                    var refusal = run.LastFailure?.Reason ?? "the server refused the stream";
                    run.Detail(TraceStep.Trace, $"Sending the request again on a new connection to {connection.Wire.RemoteEndPoint}, as browsers do: the server did not process it",
                        new RetriedDetails(target.Uri.ToString(), connection.Wire.RemoteEndPoint.ToString(), refusal));
                    resumeFrom = (connection.Wire.RemoteEndPoint, null);
                    continue;
                }

                if (exchange.Failed)
                    return (run.LastFailure, target.Uri.ToString(), status);
                if (redirectFailure is not null)
                {
                    run.Failed(TraceStep.Trace, redirectFailure.Code, redirectFailure.Reason);
                    return (redirectFailure, target.Uri.ToString(), status);
                }

                if (next is null)
                    return (null, target.Uri.ToString(), status);

                if (again == AgainKind.SameConnection)
                    run.Detail(TraceStep.Trace, $"Again on the same connection: {next.Uri}, with nothing to look up, connect or negotiate",
                        new SameConnectionAgainDetails(next.Uri.ToString()));
                else if (again == AgainKind.Resuming)
                {
                    var offer = connection.Tls!.Resumption;
                    resumeFrom = (connection.Wire.RemoteEndPoint, offer);
                    run.Detail(TraceStep.Trace, offer.Session is { } session
                            ? $"Again on a new connection to {connection.Wire.RemoteEndPoint}, offering the TLS session back ({session.Means}): {next.Uri}"
                            : $"Again on a new connection to {connection.Wire.RemoteEndPoint}, with no TLS session to offer ({offer.Reason}): {next.Uri}",
                        new ResumedAgainDetails(next.Uri.ToString(), connection.Wire.RemoteEndPoint.ToString(), offer.Session?.Means, offer.Reason));
                }
                else
                {
                    redirects++;
                    retried = false;
                    run.Detail(TraceStep.Trace, $"{status} redirect to {next.Uri}{(reuse ? " (same origin: reusing the connection)" : "")}",
                        new RedirectDetails(status ?? 0, target.Uri.ToString(), next.Uri.ToString(), next.SameOrigin(target)));
                }
                if (reuse)
                    kept = connection with { Reused = true };
                target = next;

            }
        }
        finally
        {
            if (kept is not null)
                await kept.Wire.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>HTTP/2 only was asked for and the connection does not speak it: said as the request's failure, rather than
    /// quietly falling back to HTTP/1.1.</summary>
    private static HttpExchangeResult NoHttp2(OpenConnection connection, TraceTarget target, TraceRun run)
    {
        run.Started(TraceStep.HttpRequest, "HTTP/2 only was asked for");
        run.Failed(TraceStep.HttpRequest, "http2-not-negotiated", connection.Tls is { } tls
            ? $"The server chose {(tls.Alpn is { } chosen ? chosen : "no protocol")} in ALPN, not h2, so there is no HTTP/2 to trace; \"HTTP/2 where the server agrees\" falls back to HTTP/1.1."
            : $"Plain http:// has no ALPN to agree on HTTP/2: {target.Uri.Scheme}:// with HTTP/2 needs prior knowledge.");
        return new HttpExchangeResult(null, false, "HTTP/2 was not agreed", true);
    }

    private static (TraceTarget? Next, StepFailureDetails? Failure) NextHop(TraceTarget current, string location, int redirects, int maxRedirects)
    {
        if (redirects + 1 > maxRedirects)
            return (null, new StepFailureDetails("too-many-redirects", $"Stopped after {maxRedirects} redirect(s); the server asked for another one, to {location}."));
        if (!Uri.TryCreate(current.Uri, location, out var nextUri))
            return (null, new StepFailureDetails("redirect-invalid", $"The Location header '{location}' is not a valid URL."));
        try
        {
            return (TraceRequestValidator.ParseTarget(nextUri.ToString()), null);
        }
        catch (TraceRequestException e)
        {
            return (null, new StepFailureDetails("redirect-invalid", $"The redirect to '{location}' cannot be followed: {e.Message}"));
        }
    }

    private static (string Host, int Port)? ConnectTarget(TraceRequest request, TraceTarget origin, TraceTarget target)
    {
        if (request.ConnectTo is null || !target.SameOrigin(origin) || !EndpointText.TryParseHostPort(request.ConnectTo, out var host, out var port))
            return null;
        return (host, port);
    }

    // resumeFrom, for "again, resuming": the address the first connection used (no lookup) and the TLS session it left;
    // for a retry, the address alone.
    private async Task<OpenConnection?> OpenAsync(TraceTarget target, (string Host, int Port)? connectTo, TraceRequest request, TraceRun run,
        (IPEndPoint Address, ResumptionOffer? Offer)? resumeFrom, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        if (resumeFrom is { Address: var earlier })
        {
            run.Started(TraceStep.Dns, $"{target.Host}: the address is the one the first connection used");
            run.Completed(TraceStep.Dns, $"No query: connecting to {earlier.Address} again, the first connection's address",
                new DnsSkippedDetails(DnsSkipReason.EarlierConnection, "the first connection", [earlier.Address.ToString()]));
            addresses = [earlier.Address];
        }
        else
        {
            var dnsTarget = connectTo is { } c ? TraceRequestValidator.ParseTarget($"http://{(c.Host.Contains(':') ? $"[{c.Host}]" : c.Host)}:{c.Port}/") : target;
            var resolution = await _dns.ResolveAsync(dnsTarget, request, run, cancellationToken).ConfigureAwait(false);
            if (resolution.Addresses is null)
                return null;
            addresses = resolution.Addresses;
        }

        await run.PauseAfterAsync(TraceStep.Dns, TraceStep.Tcp, cancellationToken).ConfigureAwait(false);
        var wire = await _tcp.ConnectAsync(addresses, resumeFrom?.Address.Port ?? connectTo?.Port ?? target.Port, run, request.Timeouts, cancellationToken).ConfigureAwait(false);
        if (wire is null)
            return null;
        await run.PauseAfterAsync(TraceStep.Tcp, target.IsHttps ? TraceStep.Tls : TraceStep.HttpRequest, cancellationToken).ConfigureAwait(false);
        if (!target.IsHttps)
            return new OpenConnection(wire, wire, null, false, request.Http2PriorKnowledge ? new Http2Connection(wire, wire.KernelRtt) : null);
        var tls = await _tls.HandshakeAsync(wire, target, request, run, resumeFrom?.Offer, cancellationToken).ConfigureAwait(false);
        if (tls.Session is null)
        {
            await wire.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        await run.PauseAfterAsync(TraceStep.Tls, TraceStep.HttpRequest, cancellationToken).ConfigureAwait(false);
        return new OpenConnection(wire, tls.Session, tls.Session, false, tls.Session.Alpn == "h2" ? new Http2Connection(tls.Session, wire.KernelRtt) : null);
    }

    private async Task FinishConnectionAsync(OpenConnection connection, HttpExchangeResult exchange, bool reuse, TraceRun run, CancellationToken cancellationToken)
    {
        run.Started(TraceStep.Connection, "Deciding what becomes of the connection");
        var tickets = connection.Tls?.SessionTickets.ToArray() ?? [];
        if (reuse)
        {
            run.Completed(TraceStep.Connection, $"Kept alive ({exchange.KeepAliveReason}) and reused for the next hop{TicketsText(tickets)}",
                new ConnectionDetails(true, ConnectionCloser.NotClosed, true, exchange.KeepAliveReason, tickets));
            return;
        }

        var started = run.Now();
        // An HTTP/2 client that is done says so in a GOAWAY: then the tracer closed the connection, whichever FIN comes first.
        var saidGoodbye = connection.Http2 is { Started: true } h2 && !connection.Wire.PeerClosed
            && await h2.SayGoodbyeAsync(run.LastFailure?.Code, run, cancellationToken).ConfigureAwait(false);

        if (!exchange.KeepAlive && !connection.Wire.PeerClosed && !saidGoodbye)
        {
            // The server said it will close: give its FIN a moment to arrive, so "who closed" is what happened, not a guess.
            using var grace = new CancellationTokenSource(ServerCloseGrace, _options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, grace.Token);
            try
            {
                while (!connection.Wire.PeerClosed)
                {
                    var arrival = await connection.Wire.ReadAsync(linked.Token).ConfigureAwait(false);
                    if (arrival.EndOfStream)
                        break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        // Closing (close_notify, the socket, the reader) is the tracer's own work and part of this step; the wait for the
        // server's FIN, when the server closed, is network time.
        if (connection.Wire.PeerClosed && !saidGoodbye)
        {
            var waited = connection.Wire.PeerClosedAt is { } closedAt && closedAt > started ? run.Between(started, closedAt) : TimeSpan.Zero;
            await connection.DisposeAsync().ConfigureAwait(false);
            run.Completed(TraceStep.Connection, $"Closed by the server ({exchange.KeepAliveReason}){TicketsText(tickets)}",
                new ConnectionDetails(exchange.KeepAlive, ConnectionCloser.Server, false, exchange.KeepAliveReason, tickets), network: waited);
            return;
        }

        var waitedInVain = run.Between(started, run.Now());
        await connection.DisposeAsync().ConfigureAwait(false);
        // The subtitle says what happened; why it matters is the page's explanation.
        var state = exchange.KeepAlive ? $"it could have stayed open ({exchange.KeepAliveReason})" : exchange.KeepAliveReason;
        run.Completed(TraceStep.Connection, $"Closed by the tracer, done with it: {state}{TicketsText(tickets)}",
            new ConnectionDetails(exchange.KeepAlive, ConnectionCloser.Client, false, exchange.KeepAliveReason, tickets), network: waitedInVain);
    }

    /// <summary>The session tickets, counted (what they are for is the explanation's).</summary>
    private static string TicketsText(IReadOnlyList<TimeSpan> tickets) => tickets.Count switch
    {
        0 => "",
        _ => $"; {tickets.Count} session ticket{(tickets.Count == 1 ? "" : "s")} issued (valid {string.Join(", ", tickets.Distinct().Select(Format.Lifetime))})",
    };

    // Http2: the HTTP/2 connection's state when the connection speaks HTTP/2 (ALPN h2 or prior knowledge).
    private sealed record OpenConnection(WireConnection Wire, IArrivalSource Stream, TlsSession? Tls, bool Reused, Http2Connection? Http2 = null) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Tls is not null && !Wire.PeerClosed)
                await Tls.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            await Wire.DisposeAsync().ConfigureAwait(false);
        }
    }

    private enum AgainKind
    {
        None,
        SameConnection,
        Resuming,
    }
}
