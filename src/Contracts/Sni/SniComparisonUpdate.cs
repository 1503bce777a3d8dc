using System.Text.Json.Serialization;

namespace FlowTrace.Contracts.Sni;

/// <summary>One item of a streamed SNI comparison: a result per name as its handshake finishes, then the summary.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SniProbeResult), "probe")]
[JsonDerivedType(typeof(SniHostCheckResult), "hostCheck")]
[JsonDerivedType(typeof(SniComparisonSummary), "summary")]
public abstract record SniComparisonUpdate;
