"""genai_aug: where generative AI can release staff time in a hospital trust, role by role."""
