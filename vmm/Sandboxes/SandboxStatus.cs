namespace Vmm.Sandboxes;

/// <summary>Where a sandbox is in its life.</summary>
internal enum SandboxStatus
{
    /// <summary>A create is under way (or crashed: <c>vmm gc</c> checks the creator process).</summary>
    Creating,

    /// <summary>Made, registered and usable.</summary>
    Ready,
}
