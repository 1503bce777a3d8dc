using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Repeat;

/// <summary>A repeated trace as the JSON API returns it: every run's events, then the statistics over them.</summary>
/// <param name="Runs">Each run's events, in run order.</param>
/// <param name="Statistics">Per step the first run beside the median, p95, minimum and maximum of the others.</param>
/// <param name="StoredIds">Each run's stored trace id, in run order (null for a run that could not be stored).</param>
public sealed record RepeatResult(IReadOnlyList<IReadOnlyList<TraceEvent>> Runs, RepeatStatistics Statistics, IReadOnlyList<string?>? StoredIds = null);
