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
        // With perf installed (as .ci/run does), the cost suite must also say where the CPU goes.
        if (File.Exists("/usr/bin/perf"))
        {
            var cost = results.Single(r => r.GetProperty("Suite").GetString() == "cost");
            Assert.Contains(cost.GetProperty("Figures").EnumerateArray(), f => f.GetProperty("Name").GetString() == "of which TLS crypto (BouncyCastle)");
        }

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

    [Fact]
    public void Classify_PerfScriptSamples_InnermostCategorisedFrameWinsAndWindowIsKept()
    {
        const string script = """
            100.000100: 
            	  1 __memmove_avx512 (/usr/lib/libc.so.6)
            	  2 [OptimizedTier1] Org.BouncyCastle.Tls.TlsProtocol::OfferInput(...) (/tmp/perf-1.map)
            	  3 [OptimizedTier1] FlowTrace.Tracer.Tls.TlsHandshaker::HandshakeAsync (/tmp/perf-1.map)

            100.000200: 
            	  1 tcp_sendmsg ([kernel.kallsyms])
            	  2 [OptimizedTier1] System.Net.Sockets.Socket::Send (/tmp/perf-1.map)
            	  3 [OptimizedTier1] FlowTrace.Tracer.Http.HttpExchange::ExchangeAsync (/tmp/perf-1.map)

            100.000300: 
            	  1 [unknown] (/usr/share/dotnet/libcoreclr.so)

            99.000000: 
            	  1 [OptimizedTier1] Org.BouncyCastle.Crypto.Digest::DoFinal (/tmp/perf-1.map)

            """;
        var counts = FlowTrace.Bench.Cost.CpuProfile.Classify(script.Replace("\t", "	", StringComparison.Ordinal), 100.0, 101.0);
        Assert.Equal(1, counts["TLS crypto (BouncyCastle)"]);
        Assert.Equal(1, counts["sockets (send, receive, connect)"]);
        Assert.Equal(1, counts[FlowTrace.Bench.Cost.CpuProfile.Rest]);
        Assert.Equal(3, counts.Values.Sum());
    }
}
