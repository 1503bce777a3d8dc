using FlowTrace.Bench;

return await BenchRunner.RunAsync(args, Console.Out);
