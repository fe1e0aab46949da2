namespace Gateway.Tests.Docs;

/// <summary>The README test: needs root for its network namespace, iproute2, openssl and curl; skipped, saying which, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DocNamespaceFactAttribute : FactAttribute
{
    public DocNamespaceFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root for a network namespace of its own, where the README's fixed ports are free (CI runs as root)";
        }
        else if (ToolRun.Exists("ip") is false)
        {
            Skip = "needs iproute2 (`ip`): apt-get install iproute2";
        }
        else if (!ToolRun.Exists("openssl") || !ToolRun.Exists("curl"))
        {
            Skip = "needs openssl and curl: apt-get install openssl curl";
        }
    }
}
