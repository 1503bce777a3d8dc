using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Repeat;

/// <summary>
/// One message of a repeated trace as it streams: an event of run <see cref="Run"/>, or, last of all, the statistics
/// over every run.
/// </summary>
/// <param name="Run">Which run (1-based) the event belongs to; for the closing statistics, the number of runs.</param>
/// <param name="Runs">How many runs were asked for.</param>
/// <param name="Event">An event of the run, or null in the closing message.</param>
/// <param name="Statistics">The statistics, in the closing message only.</param>
public sealed record RepeatUpdate(int Run, int Runs, TraceEvent? Event, RepeatStatistics? Statistics);
