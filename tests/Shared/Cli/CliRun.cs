using FlowTrace.Cli;
using FlowTrace.Lab;

namespace FlowTrace.Testing;

/// <summary>Runs the command line in the test's process, its lab on free ports, with its output captured.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await new CliApp(output, error, labOptions: LabOptions.Ephemeral).RunAsync(args, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
