namespace Vmm.Cli;

/// <summary>Exit codes of every command (DESIGN.md, Commands).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}
