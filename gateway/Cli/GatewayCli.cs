namespace Gateway.Cli;

/// <summary>Placeholder until the command tree lands.</summary>
internal static class GatewayCli
{
    public static int Run(string[] args) => args.Length >= 0 ? 1 : 0;
}
