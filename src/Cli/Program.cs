using FlowTrace.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
Console.OutputEncoding = System.Text.Encoding.UTF8;
return await new CliApp(Console.Out, Console.Error, terminal: !Console.IsOutputRedirected).RunAsync(args, cancel.Token);
