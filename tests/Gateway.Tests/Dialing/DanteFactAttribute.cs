namespace Gateway.Tests.Dialing;

/// <summary>A fact against a real Dante; skipped, saying why, when danted is not installed (or root is needed and missing).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DanteFactAttribute : FactAttribute
{
    public DanteFactAttribute(bool needsRoot = false)
    {
        if (Dante.MissingReason is { } reason)
        {
            Skip = reason;
        }
        else if (needsRoot && !Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: Dante's username method checks system accounts, and the test creates one (CI runs as root)";
        }
    }
}
