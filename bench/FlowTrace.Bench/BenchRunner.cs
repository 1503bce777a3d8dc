using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FlowTrace.Bench.Suites;

namespace FlowTrace.Bench;

/// <summary>Parses the command line, runs the suites, prints the table and writes the JSON and Markdown reports.</summary>
public static class BenchRunner
{
    public static readonly string[] Suites = ["accuracy", "cost", "cold-start", "accounting", "live", "pixel", "capacity", "first-load", "startup", "room"];

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/FlowTrace.Bench -- [SUITE...] [--smoke] [--json PATH] [--markdown PATH]
          SUITE: accuracy, cost, cold-start, accounting, live, pixel, capacity, first-load, startup (default: all)
          --smoke          tiny sizes (seconds), as CI runs them; the Markdown report is then not written unless asked
          --json PATH      write the figures as JSON
          --markdown PATH  write the report (default for full runs: docs/BENCHMARKS.md)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Length > 0 && args[0] == Cost.CpuProfile.ChildCommand)
            return await Cost.CpuProfile.RunChildAsync(args, output);
        var suites = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !IsOptionValue(args, a)).ToList();
        if (args.Contains("--help") || suites.Any(s => !Suites.Contains(s)))
        {
            await output.WriteLineAsync(Usage);
            return args.Contains("--help") ? 0 : 2;
        }

        if (suites.Count == 0)
            suites = [.. Suites];
        var smoke = args.Contains("--smoke");
        var root = FindRoot();
        var json = Option(args, "--json");
        var markdown = Option(args, "--markdown") ?? (smoke ? null : Path.Combine(root, "docs", "BENCHMARKS.md"));
        var work = Directory.CreateTempSubdirectory("flowtrace-bench-").FullName;
        var results = new List<SuiteResult>();
        try
        {
            foreach (var suite in suites)
            {
                await output.WriteLineAsync($"== {suite}{(smoke ? " (smoke)" : "")}");
                var result = suite switch
                {
                    "accuracy" => await AccuracySuite.RunAsync(smoke ? 3 : 50, work),
                    "cost" => await CostSuite.RunAsync(smoke ? 3 : 200, work),
                    "cold-start" => await ColdStartSuite.RunAsync(smoke ? 1 : 5, smoke ? 3 : 20, work),
                    "accounting" => await AccountingSuite.RunAsync(smoke ? 1 : 5, smoke ? 6 : null),
                    "live" => await LiveSuite.RunAsync(smoke ? 2 : 100, work),
                    "pixel" => await PixelSuite.RunAsync(smoke ? 1 : 10, smoke),
                    "capacity" => await CapacitySuite.RunAsync(smoke ? [1, 4] : [1, 10, 50, 200], TimeSpan.FromSeconds(smoke ? 2 : 20)),
                    "startup" => await StartupSuite.RunAsync(smoke ? 2 : 30, work, root, smoke),
                    "room" => await RoomSuite.RunAsync(smoke ? [1, 4] : [1, 50, 200], smoke ? 1 : 5, smoke ? 1 : 3, pagesOnOneInstance: !smoke),
                    _ => await FirstLoadSuite.RunAsync(work, root, smoke ? 1 : 5, smoke),
                };
                results.Add(result);
                await output.WriteLineAsync(Table(result));
                // A figure that is not a number (no samples) is a broken measurement: say which, now, not in the JSON writer.
                if (result.Figures.FirstOrDefault(f => !double.IsFinite(f.Value) || f.Ratio is { } r && !double.IsFinite(r) || f.Reference is { } x && !double.IsFinite(x)) is { } broken)
                    throw new InvalidOperationException($"{suite}: the figure '{broken.Name}' is not a number (value {broken.Value}, reference {broken.Reference}, ratio {broken.Ratio}): a measurement got no samples.");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        var command = "dotnet run -c Release --project bench/FlowTrace.Bench -- " + string.Join(' ', args);
        if (json is not null)
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { machine = Machine(), command, results }, new JsonSerializerOptions { WriteIndented = true }));
        if (markdown is not null)
            await File.WriteAllTextAsync(markdown, Markdown(results, command));
        return 0;
    }

    public static string Table(SuiteResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"{"figure",-62} {"value",14} {"reference",14} {"ratio",8}  goal");
        foreach (var f in result.Figures)
            text.AppendLine($"{f.Name,-62} {Num(f.Value) + " " + f.Unit,14} {(f.Reference is { } r ? Num(r) : ""),14} {(f.Ratio is { } q ? q.ToString("0.00", CultureInfo.InvariantCulture) : ""),8}  {f.Goal}{(f.Met switch { true => " ✓", false => " ✗ MISSED", _ => "" })}");
        return text.ToString();
    }

    private static string Markdown(IReadOnlyList<SuiteResult> results, string command)
    {
        var text = new StringBuilder();
        text.AppendLine("# FlowTrace benchmarks").AppendLine();
        text.AppendLine($"Generated by `{command}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.").AppendLine();
        text.AppendLine($"Machine: {Machine()}.").AppendLine();
        text.AppendLine("Every figure is judged against a reference measured in the same run; absolute times are context only.").AppendLine();
        foreach (var result in results)
        {
            text.AppendLine($"## {result.Suite}").AppendLine().AppendLine($"Size: {result.Size}.").AppendLine();
            text.AppendLine("| figure | value | reference | ratio | goal |").AppendLine("|---|---|---|---|---|");
            foreach (var f in result.Figures)
                text.AppendLine($"| {f.Name} | {Num(f.Value)} {f.Unit} | {(f.Reference is { } r ? Num(r) : "")} | {(f.Ratio is { } q ? q.ToString("0.00", CultureInfo.InvariantCulture) : "")} | {f.Goal}{(f.Met switch { true => " (met)", false => " (**missed**)", _ => "" })} |");
            text.AppendLine();
            foreach (var note in result.Notes)
                text.AppendLine($"- {note}");
            var missed = result.Figures.Where(f => f.Met == false).Select(f => f.Name).ToList();
            if (missed.Count > 0)
                text.AppendLine($"- **Goal missed** in this run: {string.Join("; ", missed)}. The cause-analysis figures above are measured in the same run; see also the analysis section below.");
            text.AppendLine();
        }

        var analysis = Path.Combine(FindRoot(), "docs", "BENCHMARKS-analysis.md");
        if (File.Exists(analysis))
            text.AppendLine(File.ReadAllText(analysis));
        return text.ToString();
    }

    private static string Machine() =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024)} GiB";

    private static string Num(double value) => value.ToString(Math.Abs(value) >= 100 ? "#,0" : "0.00", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static bool IsOptionValue(string[] args, string value)
    {
        var index = Array.IndexOf(args, value);
        return index > 0 && args[index - 1] is "--json" or "--markdown";
    }

    /// <summary>The repository's root (where FlowTrace.sln is), or the working directory.</summary>
    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FlowTrace.sln")))
                return dir.FullName;
        }

        return Directory.GetCurrentDirectory();
    }
}
