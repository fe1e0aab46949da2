namespace Vmm.Sandboxes;

/// <summary>One line of <c>vmm ls</c>, and its JSON shape (stable camelCase fields; the token is never shown).</summary>
internal sealed record SandboxRow(
    string Name, string Kind, string Status, bool Alive, string Address, string Gateway, string Interface, IReadOnlyList<string> Kits, bool HasToken, DateTimeOffset Created)
{
    public static SandboxRow From(SandboxRecord record)
    {
        bool alive = record.Status == SandboxStatus.Ready && SandboxKinds.Find(record.Kind) is { } kind && kind.IsAlive(record);
        string status = record.Status == SandboxStatus.Creating ? "creating" : alive ? "running" : "stopped";
        return new SandboxRow(
            record.Name, record.Kind, status, alive, record.SandboxAddress, record.HostAddress, record.HostInterface, record.Kits, record.Token is not null, record.Created);
    }
}
