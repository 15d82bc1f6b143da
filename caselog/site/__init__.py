"""The public portal: page model, rendering, exports, search index and output checks."""
