using FlowTrace.Contracts.Ladder;

namespace FlowTrace.Client.Components;

/// <summary>
/// Where a moment of the trace lies down the ladder diagram: to scale, or with idle stretches folded so that a 300 ms
/// wait and a 20 µs exchange can both be read (every step between two moments gets a readable height, and a long one
/// is cut short and marked).
/// </summary>
public sealed class LadderScale
{
    /// <summary>Where the first moment is drawn.</summary>
    public const double Top = 36;

    /// <summary>The height of one message when idle time is folded: messages at the same moment (a flight of records
    /// read at once) are drawn one under the other, this far apart.</summary>
    public const double ShortestStep = 12;

    private const double LongestStep = 40;
    private readonly double[] _times;
    private readonly double[] _ys;

    /// <summary>Lays out <paramref name="ladder"/>'s moments.</summary>
    public LadderScale(LadderDiagram ladder, bool fold)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        var end = Math.Max(ladder.End.TotalMilliseconds, 1e-3);
        var toScale = Math.Clamp(24.0 * ladder.Arrows.Count + 40, 320, 1600);
        _times = [.. ladder.Arrows.SelectMany(a => new[] { a.Sent, a.Arrived })
            .Concat(ladder.Blocks.SelectMany(b => new[] { b.Start, b.End }))
            .Select(t => t.TotalMilliseconds).Append(0).Append(end).Distinct().Order()];
        _ys = new double[_times.Length];
        // Folded, a moment where several messages were seen makes room for each of them.
        var atMoment = fold
            ? ladder.Arrows.GroupBy(a => Measured(a).TotalMilliseconds).ToDictionary(g => g.Key, g => g.Count())
            : [];
        var folds = new List<LadderFold>();
        var y = Top;
        for (var i = 0; i < _times.Length; i++)
        {
            if (i > 0)
            {
                var linear = (_times[i] - _times[i - 1]) / end * toScale;
                if (!fold)
                {
                    y += linear;
                }
                else if (linear > LongestStep)
                {
                    // The messages seen at the moment before are drawn one under the other first, then the mark.
                    var stacked = ShortestStep * Math.Max(1, atMoment.GetValueOrDefault(_times[i - 1]));
                    folds.Add(new LadderFold(y + stacked + (LongestStep - ShortestStep) / 2, TimeSpan.FromMilliseconds(_times[i] - _times[i - 1])));
                    y += stacked + LongestStep - ShortestStep;
                }
                else
                {
                    y += Math.Max(ShortestStep * Math.Max(1, atMoment.GetValueOrDefault(_times[i - 1])), linear);
                }
            }

            _ys[i] = y;
        }

        Folds = folds;
        Height = y + 10;
    }

    /// <summary>The end of <paramref name="arrow"/> this computer's clock measured.</summary>
    public static TimeSpan Measured(LadderArrow arrow)
    {
        ArgumentNullException.ThrowIfNull(arrow);
        return arrow.Measured == LadderMeasuredEnd.Sent ? arrow.Sent : arrow.Arrived;
    }

    /// <summary>The drawing's height.</summary>
    public double Height { get; }

    /// <summary>The idle stretches cut short, where they are drawn.</summary>
    public IReadOnlyList<LadderFold> Folds { get; }

    /// <summary>Where <paramref name="time"/> is drawn (between two known moments, in proportion).</summary>
    public double Y(TimeSpan time)
    {
        var ms = time.TotalMilliseconds;
        var index = Array.BinarySearch(_times, ms);
        if (index >= 0)
            return _ys[index];
        var next = ~index;
        if (next == 0)
            return _ys[0];
        if (next >= _times.Length)
            return _ys[^1];
        var share = (ms - _times[next - 1]) / (_times[next] - _times[next - 1]);
        return _ys[next - 1] + share * (_ys[next] - _ys[next - 1]);
    }
}
