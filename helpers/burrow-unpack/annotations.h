/* burrow-unpack: the annotations a `--layers` bundle carries for the rootfs
 * overlay (issue 4).  One place, so the two sides cannot drift apart.
 *
 *   org.burrow.rootfs.overlay   "auto": mount root.path as an overlay
 *   org.burrow.rootfs.lowerdirs the layer directories, relative to the
 *                               bundle, colon-separated, topmost first and
 *                               lowest last (overlayfs' lowerdir= order)
 */
#ifndef BURROW_UNPACK_ANNOTATIONS_H
#define BURROW_UNPACK_ANNOTATIONS_H

#define BW_ANNOTATION_ROOTFS_OVERLAY   "org.burrow.rootfs.overlay"
#define BW_ANNOTATION_ROOTFS_OVERLAY_AUTO "auto"
#define BW_ANNOTATION_ROOTFS_LOWERDIRS "org.burrow.rootfs.lowerdirs"

#endif
