using System.Text.Json;

namespace FlowTrace.Bench.Tests;

/// <summary>Runs every benchmark suite at a tiny size so the harness cannot rot; the figures are not judged here.</summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task RunAsync_EverySuiteAtSmokeSize_ProducesFiguresAndJson()
    {
        var json = Path.Combine(Path.GetTempPath(), $"flowtrace-bench-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        var code = await BenchRunner.RunAsync(["--smoke", "--json", json], output);
        Assert.True(code == 0, output.ToString());
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(BenchRunner.Suites, results.Select(r => r.GetProperty("Suite").GetString()));
        foreach (var result in results)
        {
            var figures = result.GetProperty("Figures").EnumerateArray().ToList();
            Assert.NotEmpty(figures);
            Assert.All(figures, f => Assert.True(double.IsFinite(f.GetProperty("Value").GetDouble()), f.ToString()));
        }

        Assert.Contains("accuracy", output.ToString(), StringComparison.Ordinal);
        File.Delete(json);
    }

    [Fact]
    public async Task RunAsync_UnknownSuite_PrintsUsageAndFails()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await BenchRunner.RunAsync(["nonsense"], output));
        Assert.Contains("Usage", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ChildrenCpu_BashTimesOutput_SumsUserAndSystem() =>
        Assert.Equal(TimeSpan.FromSeconds(62.5), FlowTrace.Bench.Suites.CostSuite.ChildrenCpu("0m0.010s 0m0.020s\n1m0.500s 0m2.000s\n"));
}
