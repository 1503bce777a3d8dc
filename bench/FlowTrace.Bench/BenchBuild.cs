namespace FlowTrace.Bench;

/// <summary>Builds for the suites: the outputs of the build the benchmark itself came from (its configuration), for
/// smoke runs that need a program of the repository but not a Release publish of it, and <c>dotnet</c> runs that must
/// succeed.</summary>
public static class BenchBuild
{
    /// <summary>The path of <paramref name="file"/> in <paramref name="project"/>'s build output for the benchmark's own
    /// configuration, or null when that build is not there.</summary>
    public static string? Output(string repositoryRoot, string project, string file)
    {
        // The benchmark runs from bench/FlowTrace.Bench/bin/<Configuration>/net10.0/.
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var path = Path.Combine(repositoryRoot, project, "bin", configuration, "net10.0", file);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> (a publish, a new project) and throws with its output
    /// when it fails, so that a suite stops at a broken build rather than measuring nothing.</summary>
    public static async Task DotnetAsync(string[] args, int timeoutSeconds)
    {
        var (code, output, error) = await ExternalProcess.RunAsync("dotnet", args, timeoutSeconds: timeoutSeconds);
        if (code != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed: {output}{error}");
    }
}
