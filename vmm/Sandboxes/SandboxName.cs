namespace Vmm.Sandboxes;

/// <summary>The gateway's rule for sandbox names, checked before anything is made.</summary>
internal static class SandboxName
{
    /// <summary>1 to 63 of [a-z0-9-], starting with a letter or digit; "host" is the gateway's name for unregistered loopback clients.</summary>
    public static bool IsValid(string name)
    {
        if (name.Length is 0 or > 63 || name == "host" || !(char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0])))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
