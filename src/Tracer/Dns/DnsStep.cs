using FlowTrace.Contracts.Requests;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using System.Security.Cryptography;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Dns;

/// <summary>
/// The DNS step: IP literals and hosts-file names need no query; everything else is asked of a resolver, A and AAAA in
/// parallel as the system resolver does, each query timed on its own, written and read by the tracer itself so that its
/// bytes can be shown (or walked down from the root, <see cref="ResolveFromRootAsync"/>).
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
        var network = TraceRun.Covered(outcomes.Select(o => o.Window(run)), TimeSpan.MaxValue);

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
        // The tracer writes the query and reads the answer itself, so that both are shown byte by byte as they crossed
        // the wire (DnsClient keeps its messages to itself).
        var id = (ushort)RandomNumberGenerator.GetInt32(0x10000);
        var query = DnsQueryWriter.Write(id, name, (ushort)type, recursion);
        var queryFields = DnsMessageReader.Read(query).Fields;
        var transport = tcp ? "tcp" : "udp";
        var serverText = string.Join(", ", servers.Select(s => s.ToString()));
        long? firstSent = null;
        DnsExchange? exchange = null;
        IPEndPoint? server = null;
        // As the system resolver does, the next server is asked when one does not answer.
        foreach (var candidate in servers)
        {
            server = candidate;
            exchange = await DnsTransport.ExchangeAsync(candidate, query, tcp, timeout, run.Now, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            firstSent ??= exchange.SentAt;
            if (exchange.Answer is not null)
                break;
        }

        if (exchange is null || server is null)
            throw new InvalidOperationException("No DNS server to ask.");
        var duration = run.Between(firstSent ?? exchange.SentAt, exchange.ArrivedAt);
        QueryOutcome Failed(string code, string reason, DnsQueryDetails? details = null) => new(reason,
            details ?? new DnsQueryDetails(type.ToString(), name, serverText, transport, null, false, [], 0, duration, null, false, recursion, query, queryFields),
            exchange.ArrivedAt, [], code, reason);
        if (exchange.Answer is not { } answerBytes)
            return exchange.TimedOut
                ? Failed("dns-timeout", $"{type} query for {name} got no answer from {serverText} within {Format.Duration(timeout)}.")
                : Failed("dns-error", $"{type} query for {name} failed: {server} {exchange.Error}.");

        var resolver = server.ToString();
        var answer = DnsMessageReader.Read(answerBytes);
        DnsQueryDetails Unread() => new(type.ToString(), name, resolver, transport, null, false, [], answerBytes.Length, duration, null, false, recursion,
            query, queryFields, answerBytes, answer.Fields);
        if (answer.Malformed is not null && answer.Truncated && !tcp)
        {
            // A truncated answer may be cut mid-record: the TC bit says so, and TCP is asked, as resolvers do.
            var cut = Unread() with { Truncated = true, ResponseCode = answer.ResponseCodeName };
            return new QueryOutcome($"{type} {name} ({transport}): the answer was truncated (TC bit) after {Format.Duration(duration)}", cut, exchange.ArrivedAt, [], null, null);
        }

        if (answer.Malformed is { } malformed)
            return Failed("dns-malformed", $"{type} query for {name}: the answer from {resolver} is not a well-formed DNS message ({malformed}).", Unread());
        if (answer.Id != id || !answer.Response)
            return Failed("dns-wrong-id", answer.Response
                ? $"{type} query for {name}: the answer from {resolver} carried another query's ID (0x{answer.Id:x4}, not 0x{id:x4}), so it is not the answer to this query (a spoofed or confused reply)."
                : $"{type} query for {name}: {resolver} sent back a query, not an answer.", Unread());

        var rcode = answer.ResponseCodeName;
        var answers = answer.Answers.Select(ToInfo).ToList();
        var referral = Referral(answer);
        var details = new DnsQueryDetails(type.ToString(), name, resolver, transport, rcode, answer.Truncated, answers, answerBytes.Length, duration,
            referral, answer.Authoritative, recursion, query, queryFields, answerBytes, answer.Fields);
        if (answer.Truncated && !tcp)
            return new QueryOutcome($"{type} {name} ({transport}): the answer was truncated (TC bit) after {Format.Duration(duration)}", details, exchange.ArrivedAt, [], null, null);

        var addresses = answer.Answers.Where(a => a.Address is not null).Select(a => a.Address!).ToList();
        var said = referral is not null && answers.Count == 0
            ? $"referral to {referral.Zone} ({string.Join(", ", referral.NameServers)}{(referral.Glue.Count > 0 ? $"; glue {string.Join(", ", referral.Glue.Select(g => g.Value))}" : "; no glue")})"
            : $"{rcode}, {answers.Count} answer(s){(answer.Authoritative && !recursion ? ", authoritative" : "")}";
        var message = $"{type} {name} @{resolver} ({transport}{(recursion ? "" : ", no recursion")}): {said}, {answerBytes.Length} bytes in {Format.Duration(duration)}";
        var (failureCode, failureReason) = answer.ResponseCode switch
        {
            0 => ((string?)null, (string?)null),
            3 => ("dns-nxdomain", $"{name} does not exist (NXDOMAIN from {resolver})."),
            2 => ("dns-servfail", $"The resolver {resolver} failed to answer for {name} (SERVFAIL)."),
            5 => ("dns-refused", $"The resolver {resolver} refused to answer for {name} (REFUSED)."),
            _ => ("dns-error", $"The resolver {resolver} answered {rcode} for {name}."),
        };
        return new QueryOutcome(message, details, exchange.ArrivedAt, addresses, failureCode, failureReason);
    }

    /// <summary>The referral an answer carries: NS records in the authority section (and no answer), with the glue for
    /// those servers from the additional section.</summary>
    private static DnsReferral? Referral(DnsWireMessage answer)
    {
        var servers = answer.Authority.Where(r => r.Type == DnsNames.Ns && r.Target is not null).ToList();
        if (servers.Count == 0 || answer.Answers.Count > 0)
            return null;
        var names = servers.Select(s => s.Target!).ToList();
        var glue = answer.Additional.Where(a => a.Address is not null && names.Contains(a.Name, StringComparer.OrdinalIgnoreCase)).Select(ToInfo).ToList();
        var zone = servers[0].Name;
        return new DnsReferral(zone.Length == 0 ? "." : zone + ".", names, glue);
    }

    private static DnsRecordInfo ToInfo(DnsWireRecord record) => new(record.Name, record.TypeName, (int)Math.Min(record.Ttl, int.MaxValue), record.Value);

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
        string Message, DnsQueryDetails Details, long At, IReadOnlyList<IPAddress> Addresses, string? FailureCode, string? FailureReason)
    {
        /// <summary>When the query waited for the network, on the trace's clock.</summary>
        public (TimeSpan Start, TimeSpan End) Window(TraceRun run) => (run.OffsetOf(At) - Details.Duration, run.OffsetOf(At));
    }
}
