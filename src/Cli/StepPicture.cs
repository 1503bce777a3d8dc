using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>
/// The whole trace as one picture at the end, in the manner of httpstat: a row per step with a bar placed at its start and
/// as long as its duration (to scale with the whole trace), its own time, and the cumulative time when it ended.
/// </summary>
internal sealed class StepPicture(TextWriter output, Colours colours)
{
    /// <summary>Characters the whole trace spans.</summary>
    public const int Width = 40;

    public void Write(TraceSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var total = summary.Total.Ticks;
        if (total <= 0 || summary.Steps.Count == 0)
            return;
        output.WriteLine();
        output.WriteLine($"{"",-23}{colours.Dim("0" + Format.Duration(summary.Total).PadLeft(Width - 1))}");
        foreach (var step in summary.Steps)
        {
            var from = (int)Math.Round((double)step.Start.Ticks / total * Width);
            var width = (int)Math.Round((double)step.Duration.Ticks / total * Width);
            // A step too short for a whole character still shows where it was.
            var bar = width > 0 ? new string('█', Math.Min(width, Width - Math.Min(from, Width - 1))) : "▏";
            from = Math.Min(from, Width - bar.Length);
            var painted = step.Succeeded ? colours.Cyan(bar) : colours.Red(bar);
            var name = $"{(step.Hop > 0 ? $"#{step.Hop} " : "")}{ConsoleRenderer.StepName(step.Step)}";
            output.WriteLine($"  {name,-20} {new string(' ', from)}{painted}{new string(' ', Width - from - bar.Length)}  " +
                             $"{Format.Duration(step.Duration),10}  {colours.Dim($"→ {Format.Duration(step.Start + step.Duration)}")}");
        }
    }
}
