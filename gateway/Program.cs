namespace Gateway;

/// <summary>Entry point of `gateway`: the daemon and the operator CLI.</summary>
internal static class Program
{
    private static int Main(string[] args) => Cli.GatewayCli.Run(args);
}
