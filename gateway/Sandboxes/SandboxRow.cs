namespace Gateway.Sandboxes;

/// <summary>One line of `gateway sandbox ls`, and its JSON shape. The token itself is never shown.</summary>
internal sealed record SandboxRow(string Name, IReadOnlyList<string> Addresses, IReadOnlyList<string> Kits, string Source, bool HasToken)
{
    public static SandboxRow From(Sandbox sandbox)
    {
        var addresses = new List<string>(sandbox.Addresses.Length);
        foreach (System.Net.IPAddress address in sandbox.Addresses)
        {
            addresses.Add(address.ToString());
        }

        return new SandboxRow(sandbox.Name, addresses, [.. sandbox.Kits], sandbox.Registered ? "registered" : "config", sandbox.HasToken);
    }
}
