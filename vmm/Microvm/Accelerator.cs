namespace Vmm.Microvm;

/// <summary>How QEMU runs the guest: KVM (hardware virtualization) or TCG (emulation), and why that one.</summary>
/// <param name="Name">"kvm" or "tcg", as QEMU's <c>-accel</c> spells it.</param>
/// <param name="Reason">One line an operator reads in <c>vmm create</c>'s output and the sandbox record.</param>
internal sealed record Accelerator(string Name, string Reason)
{
    /// <summary>QEMU's name for hardware virtualization.</summary>
    public const string Kvm = "kvm";

    /// <summary>QEMU's name for its emulator.</summary>
    public const string Tcg = "tcg";

    /// <summary>True for KVM.</summary>
    public bool IsKvm => Name == Kvm;

    /// <inheritdoc/>
    public override string ToString() => Name + " (" + Reason + ")";
}
