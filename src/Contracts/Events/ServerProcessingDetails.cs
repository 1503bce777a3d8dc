namespace FlowTrace.Contracts.Events;

/// <summary>The wait between the request leaving and the first response byte arriving.</summary>
/// <param name="TimeToFirstByte">From the last request byte sent to the first response byte's arrival.</param>
/// <param name="ServerTiming">Metrics from the <c>Server-Timing</c> header, if the server sent any.</param>
public sealed record ServerProcessingDetails(TimeSpan TimeToFirstByte, IReadOnlyList<ServerTimingMetric> ServerTiming) : TraceEventDetails;

/// <summary>One metric of a Server-Timing header.</summary>
/// <param name="Name">Metric name.</param>
/// <param name="Duration">The <c>dur</c> parameter in milliseconds, if given.</param>
/// <param name="Description">The <c>desc</c> parameter, if given.</param>
public sealed record ServerTimingMetric(string Name, double? Duration, string? Description);
