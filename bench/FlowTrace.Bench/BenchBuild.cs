namespace FlowTrace.Bench;

/// <summary>The outputs of the build the benchmark itself came from (its configuration), for smoke runs that need a
/// program of the repository but not a Release publish of it.</summary>
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
}
