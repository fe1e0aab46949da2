namespace Vmm.Network;

/// <summary>A host tool (ip, nft) failed; the message is the command and what it printed.</summary>
internal sealed class HostCommandException(string message) : Exception(message);
