using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Sni;
using FlowTrace.Tracer.Dns;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tls;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Sni;

/// <summary>
/// Asks one server for its certificate under several names at once: a real handshake per SNI name (and one
/// without SNI), all to the one address resolved at the start, streamed as each finishes, then compared.
/// </summary>
public sealed class SniComparer
{
    private readonly TracerOptions _options;
    private readonly DnsStep _dns;
    private readonly TcpConnector _tcp;
    private readonly TlsHandshaker _tls;
    private readonly FlowTracer _hostCheckTracer;

    /// <summary>Creates a comparer; zero configuration uses the system clock and resolvers.</summary>
    public SniComparer(TracerOptions? options = null)
    {
        _options = options ?? new TracerOptions();
        _dns = new DnsStep(_options);
        _tcp = new TcpConnector(_options.TimeProvider, _options.DestinationPolicy);
        _tls = new TlsHandshaker(_options.TimeProvider, new CertificateValidator(_options.TimeProvider));
        _hostCheckTracer = new FlowTracer(_options with { WarmUp = false });
    }

    /// <summary>Checks the request; an empty list means it can run.</summary>
    public static IReadOnlyList<string> Validate(SniComparisonRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<string>();
        if (!TryParseTarget(request.Target, out _, out _))
            errors.Add($"Target '{TraceRequestValidator.Printable(request.Target)}' is not HOST, HOST:PORT or [IPv6]:PORT.");
        if (request.Names.Count == 0 && !request.IncludeNoSni)
            errors.Add("Give at least one name to send as SNI.");
        if (request.Names.Count > SniComparisonRequest.MaxNames)
            errors.Add($"{request.Names.Count} names is too many: at most {SniComparisonRequest.MaxNames} per comparison.");
        foreach (var name in request.Names.Where(n => !TraceRequestValidator.IsValidServerName(n)))
            errors.Add($"'{TraceRequestValidator.Printable(name)}' is not a DNS name that can be sent as SNI.");
        if (request.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != request.Names.Count)
            errors.Add("A name is listed twice.");
        if (request.HostCheck is { } check && (!TraceRequestValidator.IsValidServerName(check.ServerName) || !TraceRequestValidator.IsValidServerName(check.HostHeader)))
            errors.Add("The SNI/Host check needs two DNS names.");
        if (request.DnsServer is not null && !EndpointText.TryParse(request.DnsServer, 53, out _))
            errors.Add($"DNS server '{TraceRequestValidator.Printable(request.DnsServer)}' is not an IP address with an optional port.");
        if (request.MaxConcurrency is < 1 or > 16)
            errors.Add("Concurrency must be between 1 and 16.");
        return errors;
    }

    /// <summary>Runs the comparison; yields each name's result as its handshake finishes, then the summary.</summary>
    public async IAsyncEnumerable<SniComparisonUpdate> CompareAsync(SniComparisonRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            yield return Failed(request.Target, null, new StepFailureDetails(StepFailureDetails.InvalidRequest, string.Join(" ", errors)));
            yield break;
        }

        TryParseTarget(request.Target, out var host, out var port);
        var target = TraceRequestValidator.ParseTarget($"https://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/");
        var (address, dnsFailure) = await ResolveAsync(target, request, cancellationToken).ConfigureAwait(false);
        if (address is null)
        {
            yield return Failed(request.Target, null, dnsFailure!);
            yield break;
        }

        var endpoint = new IPEndPoint(address, port);
        var probes = (request.IncludeNoSni ? new string?[] { null } : []).Concat(request.Names.Select(n => (string?)n.TrimEnd('.').ToLowerInvariant())).ToList();
        var finished = Channel.CreateUnbounded<SniProbeResult>();
        using var gate = new SemaphoreSlim(request.MaxConcurrency);
        var tasks = probes.Select(name => Task.Run(async () =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                finished.Writer.TryWrite(await ProbeAsync(name, endpoint, target, request, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                gate.Release();
            }
        }, cancellationToken)).ToList();

        var results = new List<SniProbeResult>();
        try
        {
            while (results.Count < probes.Count)
            {
                var result = await finished.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                results.Add(result);
                yield return result;
            }
        }
        finally
        {
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }

        if (request.HostCheck is { } check)
            yield return await HostCheckAsync(check.ServerName, check.HostHeader, endpoint, request, cancellationToken).ConfigureAwait(false);

        yield return Summarise(request.Target, endpoint.ToString(), results);
    }

    internal static SniComparisonSummary Summarise(string target, string address, IReadOnlyList<SniProbeResult> results)
    {
        var defaultFingerprint = results.FirstOrDefault(r => r.ServerName is null)?.Certificate?.Sha256Fingerprint;
        var groups = results.Where(r => r.Certificate is not null)
            .GroupBy(r => r.Certificate!.Sha256Fingerprint)
            .Select(g => new SniCertificateGroup(g.Key, g.First().Certificate!, [.. g.Select(r => r.ServerName)], g.Key == defaultFingerprint))
            .OrderByDescending(g => g.IsDefault)
            .ToList();
        var named = results.Where(r => r.ServerName is not null).ToList();
        return new SniComparisonSummary(
            target,
            address,
            defaultFingerprint,
            groups,
            [.. named.Where(r => defaultFingerprint is not null && r.Certificate?.Sha256Fingerprint == defaultFingerprint).Select(r => r.ServerName!)],
            [.. named.Where(r => r.CoversName == false).Select(r => r.ServerName!)],
            [.. results.Where(r => r.Failure is not null).Select(r => r.ServerName ?? "(no SNI)")],
            null);
    }

    private static SniComparisonSummary Failed(string target, string? address, StepFailureDetails failure) =>
        new(target, address, null, [], [], [], [], failure);

    private async Task<(IPAddress? Address, StepFailureDetails? Failure)> ResolveAsync(TraceTarget target, SniComparisonRequest request, CancellationToken cancellationToken)
    {
        var run = new TraceRun(_options.TimeProvider);
        var traceRequest = new TraceRequest
        {
            Url = target.Uri.ToString(),
            DnsServer = request.DnsServer,
            DnsServerZones = request.DnsServerZones,
            Timeouts = request.Timeouts,
        };
        var resolution = await _dns.ResolveAsync(target, traceRequest, run, cancellationToken).ConfigureAwait(false);
        run.Complete();
        return resolution.Addresses is { Count: > 0 } addresses
            ? (TcpConnector.Interleave(addresses)[0], null)
            : (null, run.LastFailure ?? new StepFailureDetails("dns-no-address", $"{target.Host} has no address."));
    }

    private async Task<SniProbeResult> ProbeAsync(string? name, IPEndPoint endpoint, TraceTarget target, SniComparisonRequest request, CancellationToken cancellationToken)
    {
        var run = new TraceRun(_options.TimeProvider);
        var traceRequest = new TraceRequest
        {
            Url = target.Uri.ToString(),
            Sni = name is null ? SniMode.None : SniMode.Custom,
            SniName = name,
            ExtraTrustedRoots = request.ExtraTrustedRoots,
            Timeouts = request.Timeouts,
        };
        var wire = await _tcp.ConnectAsync([endpoint.Address], endpoint.Port, run, request.Timeouts, cancellationToken).ConfigureAwait(false);
        if (wire is not null)
        {
            await using (wire.ConfigureAwait(false))
            {
                var tls = await _tls.HandshakeAsync(wire, target, traceRequest, run, null, cancellationToken).ConfigureAwait(false);
                if (tls.Session is not null)
                    await tls.Session.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        run.Complete();
        var events = new List<TraceEvent>();
        while (run.Reader.TryRead(out var traceEvent))
            events.Add(traceEvent);
        var details = events.Select(e => e.Details).ToList();
        var handshake = details.OfType<TlsHandshakeDetails>().FirstOrDefault();
        var leaf = handshake?.Certificates.FirstOrDefault();
        return new SniProbeResult(
            name,
            endpoint.ToString(),
            leaf,
            handshake?.Certificates.Count ?? 0,
            name is null || handshake is null ? null : handshake.Findings.All(f => f.Code != "name-mismatch"),
            handshake?.Version,
            handshake?.CipherSuite,
            handshake?.Alpn,
            handshake?.Findings ?? [],
            details.OfType<TcpConnectedDetails>().FirstOrDefault()?.HandshakeTime,
            handshake?.NetworkTime,
            handshake?.ClientProcessingTime,
            [.. details.OfType<TlsAlertDetails>().Where(a => a.Description != "close_notify")],
            run.LastFailure);
    }

    private async Task<SniHostCheckResult> HostCheckAsync(string serverName, string hostHeader, IPEndPoint endpoint, SniComparisonRequest request, CancellationToken cancellationToken)
    {
        var connectHost = endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        var traceRequest = new TraceRequest
        {
            Url = $"https://{hostHeader}:{endpoint.Port}/",
            Sni = SniMode.Custom,
            SniName = serverName,
            ConnectTo = $"{connectHost}:{endpoint.Port}",
            FollowRedirects = false,
            ExtraTrustedRoots = request.ExtraTrustedRoots,
            Timeouts = request.Timeouts,
        };
        var events = new List<TraceEvent>();
        await foreach (var traceEvent in _hostCheckTracer.TraceAsync(traceRequest, cancellationToken).ConfigureAwait(false))
            events.Add(traceEvent);
        var response = events.Select(e => e.Details).OfType<HttpResponseDetails>().FirstOrDefault();
        var tls = events.Select(e => e.Details).OfType<TlsHandshakeDetails>().FirstOrDefault();
        var summary = events.Select(e => e.Details).OfType<TraceSummary>().Last();
        return new SniHostCheckResult(serverName, hostHeader, tls?.Certificates.FirstOrDefault()?.Subject, response?.StatusCode, response?.BodyPreview, summary.Failure);
    }

    /// <summary>Parses <c>host</c>, <c>host:port</c>, <c>[v6]:port</c> or a bare IPv6 address.</summary>
    internal static bool TryParseTarget(string? text, out string host, out int port)
    {
        host = "";
        port = 443;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 260)
            return false;
        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            host = bare.ToString();
            return true;
        }

        if (EndpointText.TryParseHostPort(text, out host, out port))
            return IPAddress.TryParse(host, out _) || TraceRequestValidator.IsValidServerName(host);
        port = 443;
        host = text.Trim('[', ']');
        return IPAddress.TryParse(host, out _) || TraceRequestValidator.IsValidServerName(host);
    }
}
