using System.Diagnostics;
using System.Runtime;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Tracing;

/// <summary>
/// Times the synchronous pieces of a step's client work by name (TLS engine calls, certificate validation), and for
/// each the JIT compilation done on the measuring thread and the garbage-collection pauses meanwhile, so that the step's
/// client time can be split into what it was really spent on (<see cref="TraceRun.Completed"/>).
/// </summary>
internal sealed class ClientWorkMeter
{
    private readonly Dictionary<string, Section> _sections = [];

    /// <summary>Runs <paramref name="work"/> and adds its time to the share named <paramref name="name"/>.</summary>
    public T Measure<T>(string name, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var start = Snapshot.Take();
        try
        {
            return work();
        }
        finally
        {
            Add(name, start);
        }
    }

    /// <summary>Runs <paramref name="work"/> and adds its time to the share named <paramref name="name"/>.</summary>
    public void Measure(string name, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var start = Snapshot.Take();
        try
        {
            work();
        }
        finally
        {
            Add(name, start);
        }
    }

    /// <summary>Wall time of the share named <paramref name="name"/>, JIT and GC included.</summary>
    public TimeSpan Elapsed(string name) => _sections.TryGetValue(name, out var s) ? s.Elapsed : TimeSpan.Zero;

    /// <summary>The measured shares: each one's time less the JIT and GC inside it, and the JIT and GC inside them all.</summary>
    internal (IReadOnlyList<TimeShare> Shares, TimeSpan Jit, TimeSpan Gc) Net()
    {
        var jit = TimeSpan.Zero;
        var gc = TimeSpan.Zero;
        var shares = new List<TimeShare>();
        foreach (var (name, section) in _sections)
        {
            var sectionJit = Durations.Min(section.Jit, section.Elapsed);
            var sectionGc = Durations.Min(section.Gc, section.Elapsed - sectionJit);
            jit += sectionJit;
            gc += sectionGc;
            shares.Add(new TimeShare(name, section.Elapsed - sectionJit - sectionGc));
        }

        return (shares, jit, gc);
    }

    private void Add(string name, Snapshot start)
    {
        var end = Snapshot.Take();
        var section = _sections.TryGetValue(name, out var s) ? s : new Section();
        section.Elapsed += Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp);
        section.Jit += Durations.Positive(end.ThreadJit - start.ThreadJit);
        section.Gc += Durations.Positive(end.GcPause - start.GcPause);
        _sections[name] = section;
    }

    private struct Section
    {
        public TimeSpan Elapsed;
        public TimeSpan Jit;
        public TimeSpan Gc;
    }

    /// <summary>The clocks a share is measured with: wall time, this thread's JIT time, the process's GC pauses.</summary>
    private readonly record struct Snapshot(long Timestamp, TimeSpan ThreadJit, TimeSpan GcPause)
    {
        public static Snapshot Take() => new(Stopwatch.GetTimestamp(), JitInfo.GetCompilationTime(currentThread: true), GC.GetTotalPauseDuration());
    }
}
