/* burrow-unpack: the annotations a `--layers` bundle carries for the rootfs
 * overlay.  The names are the runtime's own (rootfs/rootfs.h), so the two
 * sides cannot drift apart:
 *
 *   org.burrow.rootfs.overlay   "auto": mount root.path as an overlay
 *   org.burrow.rootfs.lowerdirs the layer directories, relative to the
 *                               bundle, colon-separated, topmost first and
 *                               lowest last (overlayfs' lowerdir= order)
 *
 * Every annotation under BW_ANNOTATION_PREFIX is one the runtime obeys:
 * image labels with that prefix are not copied into config.json.
 */
#ifndef BURROW_UNPACK_ANNOTATIONS_H
#define BURROW_UNPACK_ANNOTATIONS_H

#include "rootfs/rootfs.h"

#define BW_ANNOTATION_PREFIX              "org.burrow."
#define BW_ANNOTATION_ROOTFS_OVERLAY      BW_OVERLAY_ANNOTATION
#define BW_ANNOTATION_ROOTFS_OVERLAY_AUTO "auto"
#define BW_ANNOTATION_ROOTFS_LOWERDIRS    BW_OVERLAY_LOWERS_ANNOTATION

#endif
