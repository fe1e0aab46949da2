using Vmm.Cli;

namespace Vmm;

/// <summary>Entry point of <c>vmm</c>, the sandbox manager.</summary>
internal static class Program
{
    private static int Main(string[] args) => VmmCli.Run(args, Console.Out, Console.Error);
}
