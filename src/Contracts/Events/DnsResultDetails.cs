namespace FlowTrace.Contracts.Events;

/// <summary>The outcome of the DNS step: the addresses that will be tried.</summary>
/// <param name="Name">The name as the user wrote it.</param>
/// <param name="AsciiName">The name as queried (punycode for international names).</param>
/// <param name="CnameChain">Each name followed, starting with the queried one and ending with the canonical name.</param>
/// <param name="Addresses">The addresses found, in the order they will be tried.</param>
/// <param name="Resolver">The resolver that answered, or null when no query was sent.</param>
/// <param name="Delegations">Resolving from the root: the zones walked down, from the root (".") to the zone that
/// answered, in order; null for a lookup through a resolver.</param>
public sealed record DnsResultDetails(
    string Name,
    string AsciiName,
    IReadOnlyList<string> CnameChain,
    IReadOnlyList<string> Addresses,
    string? Resolver,
    IReadOnlyList<string>? Delegations = null) : TraceEventDetails;
