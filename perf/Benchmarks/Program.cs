using BenchmarkDotNet.Running;

namespace Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["--compile-times", ..])
        {
            return CompileTimes.Run(args[1..]);
        }

        if (args is ["--leaf-cpu", ..])
        {
            return LeafCpuTimes.Run(args[1..]);
        }

        JobLength length = BenchConfig.TakeJobSwitch(ref args);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig(length));
        return 0;
    }
}
