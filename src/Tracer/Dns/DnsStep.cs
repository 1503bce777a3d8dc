using FlowTrace.Contracts.Requests;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// The DNS step: IP literals and hosts-file names need no query; everything else is asked of a resolver with
/// DnsClient, A and AAAA in parallel as the system resolver does, each query timed on its own.
/// </summary>
internal sealed partial class DnsStep(TracerOptions options)
{
    private const int MaxCnameChain = 16;

    public async Task<DnsResolution> ResolveAsync(TraceTarget target, TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        var name = target.AsciiHost;
        var idnNote = target.Host != target.AsciiHost ? $" (international name, sent as {target.AsciiHost})" : "";
        var families = request.AddressFamily;

        if (IPAddress.TryParse(name, out var literal))
        {
            run.Started(TraceStep.Dns, $"{name} is an IP address: no DNS query needed");
            run.Completed(TraceStep.Dns, $"No query: {name} is an IP literal",
                new DnsSkippedDetails(DnsSkipReason.IpLiteral, "URL", [literal.ToString()]));
            return new DnsResolution(Filter([literal], families));
        }

        // From the root, as dig +trace: the walk is what was asked for, so neither the hosts file nor a resolver is consulted.
        if (request.ResolveFromRoot)
            return await ResolveFromRootAsync(target, request, run, cancellationToken).ConfigureAwait(false);

        var hosts = await HostsFile.LoadAsync(options.HostsFilePath, cancellationToken).ConfigureAwait(false);
        var fromHosts = hosts.Lookup(name);
        if (fromHosts.Count > 0)
        {
            run.Started(TraceStep.Dns, $"Looking up {target.Host}{idnNote} in {hosts.Path}");
            var filtered = Filter(fromHosts, families);
            if (filtered.Count == 0)
            {
                run.Failed(TraceStep.Dns, "dns-no-address", $"{hosts.Path} lists {name} but with no {FamilyText(families)} address.");
                return new DnsResolution(null);
            }

            run.Completed(TraceStep.Dns, $"No query: {name} is in {hosts.Path} → {string.Join(", ", filtered)}",
                new DnsSkippedDetails(DnsSkipReason.HostsFile, hosts.Path, [.. filtered.Select(a => a.ToString())]));
            return new DnsResolution(filtered);
        }

        var servers = ChooseServers(name, request);
        if (request.DnsServer is not null && servers.FirstOrDefault(s => !options.DestinationPolicy.Check(s).Allowed) is { } refused)
        {
            run.Started(TraceStep.Dns, $"Resolving {target.Host} via {refused}");
            run.Failed(TraceStep.Dns, "policy-refused", $"The DNS server {refused} is not allowed: {options.DestinationPolicy.Check(refused).Reason}");
            return new DnsResolution(null);
        }

        var serverText = servers.Count == 0 ? "(none configured)" : string.Join(", ", servers.Select(s => s.ToString()));
        run.Started(TraceStep.Dns, $"Resolving {target.Host}{idnNote} via {serverText}");
        if (servers.Count == 0)
        {
            run.Failed(TraceStep.Dns, "dns-no-resolver", $"No DNS resolver is configured on this system: {ResolvConf.DefaultPath} names no nameserver and no network interface lists one. Give one with a DNS server option.");
            return new DnsResolution(null);
        }

        using var timeout = new CancellationTokenSource(request.Timeouts.Dns, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var types = families switch
        {
            AddressFamilyPreference.IPv4 => new[] { QueryType.A },
            AddressFamilyPreference.IPv6 => new[] { QueryType.AAAA },
            _ => new[] { QueryType.AAAA, QueryType.A },
        };

        QueryOutcome[] outcomes;
        var asked = run.Now();
        try
        {
            // Each answer is reported when it comes, so that the parallel queries' events are in the order they happened.
            outcomes = await Task.WhenAll(types.Select(async t =>
            {
                var outcome = await QueryAsync(name, t, servers, request.Timeouts.Dns, run, linked.Token).ConfigureAwait(false);
                run.Detail(TraceStep.Dns, outcome.Message, outcome.Details, outcome.At);
                return outcome;
            })).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            run.Failed(TraceStep.Dns, "dns-timeout", $"No DNS answer for {name} within {Format.Duration(request.Timeouts.Dns)}.", network: run.Between(asked, run.Now()));
            return new DnsResolution(null);
        }

        // The queries run in parallel: the time waiting for the resolver is the union of their windows.
        var network = TraceRun.Covered(outcomes.Select(o => (run.OffsetOf(o.At) - o.Details.Duration, run.OffsetOf(o.At))), TimeSpan.MaxValue);

        var failed = outcomes.FirstOrDefault(o => o.FailureCode is not null);
        var addresses = outcomes.SelectMany(o => o.Addresses).ToList();
        if (failed is not null && (addresses.Count == 0 || failed.FailureCode == "dns-nxdomain"))
        {
            run.Failed(TraceStep.Dns, failed.FailureCode!, failed.FailureReason!, network: network);
            return new DnsResolution(null);
        }

        var chain = CnameChain(name, outcomes.SelectMany(o => o.Details.Answers).ToList());
        if (chain.Count > MaxCnameChain)
        {
            run.Failed(TraceStep.Dns, "dns-cname-chain", $"The CNAME chain is longer than {MaxCnameChain} names.", network: network);
            return new DnsResolution(null);
        }

        if (addresses.Count == 0)
        {
            run.Failed(TraceStep.Dns, "dns-no-address", $"{name} exists but has no {FamilyText(families)} address.", network: network);
            return new DnsResolution(null);
        }

        var resolver = outcomes.Select(o => o.Details.Resolver).FirstOrDefault();
        var chainText = chain.Count > 1 ? $" via CNAME {string.Join(" → ", chain)}" : "";
        run.Completed(TraceStep.Dns, $"{target.Host} → {string.Join(", ", addresses)}{chainText} (answered by {resolver})",
            new DnsResultDetails(target.Host, name, chain, [.. addresses.Select(a => a.ToString())], resolver), network: network);
        return new DnsResolution(addresses);
    }

    internal static IReadOnlyList<string> CnameChain(string name, IReadOnlyList<DnsRecordInfo> answers)
    {
        var chain = new List<string> { name.TrimEnd('.') };
        var current = name.TrimEnd('.');
        while (chain.Count <= MaxCnameChain)
        {
            var cname = answers.FirstOrDefault(a => a.Type == "CNAME" && string.Equals(a.Name.TrimEnd('.'), current, StringComparison.OrdinalIgnoreCase));
            if (cname is null)
                break;
            current = cname.Value.TrimEnd('.');
            if (chain.Contains(current, StringComparer.OrdinalIgnoreCase))
            {
                chain.Add(current);
                chain.AddRange(Enumerable.Repeat(current, MaxCnameChain)); // a loop: make the chain exceed the limit
                break;
            }

            chain.Add(current);
        }

        return chain;
    }

    private List<IPEndPoint> ChooseServers(string name, TraceRequest request)
    {
        var useExplicit = request.DnsServer is not null &&
            (request.DnsServerZones.Count == 0 || request.DnsServerZones.Any(zone => InZone(name, zone)));
        if (useExplicit && EndpointText.TryParse(request.DnsServer!, 53, out var explicitServer))
            return [explicitServer];
        return [.. options.SystemResolvers()];
    }

    /// <summary>Why a query failed, from what DnsClient threw: its parser throws several kinds for an answer it cannot
    /// read (which one depends on where the bytes go wrong, and over TCP a record running past the message is an
    /// <see cref="ArgumentException"/> from copying it), alone or inside another exception. The name was checked before
    /// the query, so an argument DnsClient refuses here comes from the answer.</summary>
    internal static (string Code, string Reason) FailedQuery(Exception e, QueryType type, string name, string servers, TimeSpan timeout)
    {
        var cause = e.InnerException is DnsResponseParseException or DnsXidMismatchException ? e.InnerException : e;
        return cause switch
        {
            DnsXidMismatchException => ("dns-wrong-id", $"{type} query for {name}: the answer from {servers} carried another query's ID, so it is not the answer to this query (a spoofed or confused reply)."),
            DnsResponseParseException or IndexOutOfRangeException or ArgumentException or FormatException =>
                ("dns-malformed", $"{type} query for {name}: the answer from {servers} is not a well-formed DNS message ({cause.Message.Split('\n')[0].TrimEnd('.')})."),
            DnsResponseException { Code: DnsResponseCode.ConnectionTimeout } => ("dns-timeout", $"{type} query for {name} got no answer from {servers} within {Format.Duration(timeout)}."),
            _ => ("dns-error", $"{type} query for {name} failed: {e.Message}"),
        };
    }

    private static bool InZone(string name, string zone)
    {
        zone = zone.Trim('.');
        name = name.TrimEnd('.');
        return name.Equals(zone, StringComparison.OrdinalIgnoreCase) ||
               name.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<QueryOutcome> QueryAsync(string name, QueryType type, IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, TraceRun run, CancellationToken cancellationToken)
    {
        // As the system resolver does, a UDP query that gets no answer is sent once more (datagrams get lost, on a
        // busy machine too); the step's time limit is shared between the two tries, and both show in the trace.
        var perTry = timeout / 2;
        var udp = await QueryOnceAsync(name, type, servers, perTry, tcp: false, run, cancellationToken).ConfigureAwait(false);
        if (udp.FailureCode == "dns-timeout")
        {
            run.Detail(TraceStep.Dns, $"{udp.Message} Asking again.", udp.Details, udp.At);
            udp = await QueryOnceAsync(name, type, servers, perTry, tcp: false, run, cancellationToken).ConfigureAwait(false);
        }

        if (!udp.Details.Truncated)
            return udp;
        // The answer did not fit a UDP message: report the truncated answer and ask again over TCP, as resolvers do.
        run.Detail(TraceStep.Dns, udp.Message + "; retrying over TCP", udp.Details, udp.At);
        return await QueryOnceAsync(name, type, servers, perTry, tcp: true, run, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueryOutcome> QueryOnceAsync(string name, QueryType type, IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, bool tcp, TraceRun run, CancellationToken cancellationToken,
        bool recursion = true)
    {
        var clientOptions = new LookupClientOptions([.. servers.Select(s => new NameServer(s))])
        {
            UseCache = false,
            Retries = 0,
            Timeout = timeout,
            UseTcpFallback = false,
            UseTcpOnly = tcp,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseRandomNameServer = false,
            Recursion = recursion,
        };
        var client = new LookupClient(clientOptions);
        var transport = tcp ? "tcp" : "udp";
        var started = run.Now();
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped while DnsClient waited (the trace cancelled, or the step's time ran out): whatever DnsClient made
            // of it, it is a stop, not a failed query; the step says which kind of stop.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (DnsResponseException e) when (!tcp && e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase))
        {
            // DnsClient refuses to hand out a truncated answer when its own TCP fallback is off (the tracer turns it
            // off to show the retry as a step of its own), so the truncation is known only from this exception.
            var at = run.Now();
            var truncatedDetails = new DnsQueryDetails(type.ToString(), name, string.Join(", ", servers), transport, "NoError", true, [], 0, run.Between(started, at));
            return new QueryOutcome($"{type} {name} ({transport}): the answer was truncated (TC bit) after {Format.Duration(truncatedDetails.Duration)}", truncatedDetails, at, [], null, null);
        }
        catch (Exception e) when (e is DnsResponseException or DnsResponseParseException or DnsXidMismatchException or SocketException or IOException
                                      or InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException)
        {
            // DnsClient throws a variety of exceptions on timeouts and malformed answers; each is a failed query.
            var at = run.Now();
            var (code, reason) = FailedQuery(e, type, name, string.Join(", ", servers), timeout);
            var failedDetails = new DnsQueryDetails(type.ToString(), name, string.Join(", ", servers), transport, null, false, [], 0, run.Between(started, at));
            return new QueryOutcome(reason, failedDetails, at, [], code, reason);
        }

        var finished = run.Now();
        var duration = run.Between(started, finished);
        var resolver = $"{response.NameServer.Address}:{response.NameServer.Port}";
        var answers = response.Answers.Select(ToInfo).ToList();
        var rcode = response.Header.ResponseCode.ToString();
        var referral = Referral(response);
        var details = new DnsQueryDetails(type.ToString(), name, resolver, transport, rcode, response.Header.ResultTruncated, answers, response.MessageSize, duration,
            referral, response.Header.HasAuthorityAnswer, recursion);
        var addresses = response.Answers.OfType<AddressRecord>().Select(a => a.Address).ToList();
        var said = referral is not null && answers.Count == 0
            ? $"referral to {referral.Zone} ({string.Join(", ", referral.NameServers)}{(referral.Glue.Count > 0 ? $"; glue {string.Join(", ", referral.Glue.Select(g => g.Value))}" : "; no glue")})"
            : $"{rcode}, {answers.Count} answer(s){(response.Header.HasAuthorityAnswer && !recursion ? ", authoritative" : "")}";
        var message = $"{type} {name} @{resolver} ({transport}{(recursion ? "" : ", no recursion")}): {said}, {response.MessageSize} bytes in {Format.Duration(duration)}";
        var (failureCode, failureReason) = response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => ((string?)null, (string?)null),
            DnsHeaderResponseCode.NotExistentDomain => ("dns-nxdomain", $"{name} does not exist (NXDOMAIN from {resolver})."),
            DnsHeaderResponseCode.ServerFailure => ("dns-servfail", $"The resolver {resolver} failed to answer for {name} (SERVFAIL)."),
            DnsHeaderResponseCode.Refused => ("dns-refused", $"The resolver {resolver} refused to answer for {name} (REFUSED)."),
            _ => ("dns-error", $"The resolver {resolver} answered {rcode} for {name}."),
        };
        return new QueryOutcome(message, details, finished, addresses, failureCode, failureReason);
    }

    /// <summary>The referral an answer carries: NS records in the authority section (and no answer), with the glue for
    /// those servers from the additional section.</summary>
    private static DnsReferral? Referral(IDnsQueryResponse response)
    {
        var servers = response.Authorities.OfType<NsRecord>().ToList();
        if (servers.Count == 0 || response.Answers.Count > 0)
            return null;
        var names = servers.Select(s => s.NSDName.Value.TrimEnd('.')).ToList();
        var glue = response.Additionals.OfType<AddressRecord>()
            .Where(a => names.Contains(a.DomainName.Value.TrimEnd('.'), StringComparer.OrdinalIgnoreCase)).Select(ToInfo).ToList();
        var zone = servers[0].DomainName.Value;
        return new DnsReferral(zone == "." ? "." : zone.TrimEnd('.') + ".", names, glue);
    }

    private static DnsRecordInfo ToInfo(DnsResourceRecord record) => new(
        record.DomainName.Value.TrimEnd('.'),
        record.RecordType.ToString(),
        record.InitialTimeToLive,
        record switch
        {
            AddressRecord a => a.Address.ToString(),
            CNameRecord c => c.CanonicalName.Value.TrimEnd('.'),
            _ => record.ToString(),
        });

    private static List<IPAddress> Filter(IReadOnlyList<IPAddress> addresses, AddressFamilyPreference families) => families switch
    {
        AddressFamilyPreference.IPv4 => [.. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork)],
        AddressFamilyPreference.IPv6 => [.. addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6)],
        _ => [.. addresses],
    };

    private static string FamilyText(AddressFamilyPreference families) => families switch
    {
        AddressFamilyPreference.IPv4 => "IPv4",
        AddressFamilyPreference.IPv6 => "IPv6",
        _ => "IPv4 or IPv6",
    };

    private sealed record QueryOutcome(
        string Message, DnsQueryDetails Details, long At, IReadOnlyList<IPAddress> Addresses, string? FailureCode, string? FailureReason);
}
